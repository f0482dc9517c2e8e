"""Covering indexes and local-day statistics for the reports, on PostgreSQL only.

The reports read created_at/closed_at ranges and group by topic, assignee, closer and the local day. With
these INCLUDE columns PostgreSQL answers them from the index alone (index-only scans), and the expression
statistics let it estimate the per-day groups. SQLite keeps the plain indexes of 0001.
"""

from django.db import migrations

LOCAL_DAY = "((%s AT TIME ZONE 'America/Argentina/Buenos_Aires')::date)"

FORWARD = [
    "DROP INDEX IF EXISTS ticket_report_closed_idx",
    "CREATE INDEX ticket_report_closed_idx ON tickets_ticket (closed_at) "
    "INCLUDE (created_at, closed_by_id, topic_id, assignee_id)",
    "DROP INDEX IF EXISTS ticket_report_created_idx",
    "CREATE INDEX ticket_report_created_idx ON tickets_ticket (created_at) INCLUDE (topic_id, assignee_id)",
]
FORWARD_STATISTICS = [
    f"CREATE STATISTICS IF NOT EXISTS ticket_report_created_day_stat ON {LOCAL_DAY % 'created_at'} FROM tickets_ticket",
    f"CREATE STATISTICS IF NOT EXISTS ticket_report_closed_day_stat ON {LOCAL_DAY % 'closed_at'} FROM tickets_ticket",
    "ANALYZE tickets_ticket",
]
BACKWARD = [
    "DROP STATISTICS IF EXISTS ticket_report_created_day_stat",
    "DROP STATISTICS IF EXISTS ticket_report_closed_day_stat",
    "DROP INDEX IF EXISTS ticket_report_closed_idx",
    "CREATE INDEX ticket_report_closed_idx ON tickets_ticket (closed_at)",
    "DROP INDEX IF EXISTS ticket_report_created_idx",
    "CREATE INDEX ticket_report_created_idx ON tickets_ticket (created_at)",
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    _run(schema_editor, FORWARD)
    if connection.pg_version >= 140000:  # statistics on expressions came with PostgreSQL 14
        _run(schema_editor, FORWARD_STATISTICS)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_full_text_search")]
    operations = [migrations.RunPython(forward, backward)]
