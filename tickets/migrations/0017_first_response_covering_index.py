"""The first responses' report index covers what the reports read, on PostgreSQL only (as 0005 for the others).

Service quality (reports.service_quality) reads the first responses of a period with their business minutes,
calendar wait, topic and who answered; their medians are counted from the requests. With these INCLUDE columns
PostgreSQL answers from the index alone (an index-only scan) instead of reading every request's row: at a
million requests a year of them is ~560,000 rows of the table against ~15,000 pages of the index.
"""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS ticket_report_first_resp_idx",
    "CREATE INDEX ticket_report_first_resp_idx ON tickets_ticket (first_response_at) "
    "INCLUDE (created_at, first_response_minutes, first_response_by_id, topic_id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS ticket_report_first_resp_idx",
    "CREATE INDEX ticket_report_first_resp_idx ON tickets_ticket (first_response_at)",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0016_merge_canned_and_colleagues")]
    operations = [migrations.RunPython(lambda apps, editor: _run(editor, FORWARD),
                                       lambda apps, editor: _run(editor, BACKWARD))]
