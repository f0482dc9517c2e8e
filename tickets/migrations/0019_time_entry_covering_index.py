"""The time-spent report index with the grouped columns, on PostgreSQL only (like 0005).

Time per user, topic and company in a period is then an index-only scan; SQLite keeps the plain index of 0015.
A migration of its own: 0015's index is created at the end of that migration, after any RunPython in it.
"""

from django.db import migrations

COVERING = [
    "DROP INDEX IF EXISTS time_entry_report_idx",
    "CREATE INDEX time_entry_report_idx ON tickets_timeentry (at) "
    "INCLUDE (minutes, author_id, topic_id, company_id, ticket_id)",
]
PLAIN = [
    "DROP INDEX IF EXISTS time_entry_report_idx",
    "CREATE INDEX time_entry_report_idx ON tickets_timeentry (at)",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def covering(apps, schema_editor):
    _run(schema_editor, COVERING)


def plain(apps, schema_editor):
    _run(schema_editor, PLAIN)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0018_time_entries")]
    operations = [migrations.RunPython(covering, plain)]
