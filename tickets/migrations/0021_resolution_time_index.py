"""Requests in the order of their resolution time, on PostgreSQL only: the year's median without sorting it.

The median resolution time of a long period (reports.metrics.resolution_median) reads the one or two
requests in the middle of this index instead of sorting every duration of the period: at a million requests
a year is ~560,000 durations, whose sort is most of the report's time. The INCLUDE columns let the walk
filter by period, topic and assignee from the index alone.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS ticket_resolution_time_idx ON tickets_ticket ((closed_at - created_at)) "
    "INCLUDE (closed_at, created_at, topic_id, assignee_id) WHERE closed_at IS NOT NULL",
]
BACKWARD = ["DROP INDEX IF EXISTS ticket_resolution_time_idx"]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0020_seen_new_activity")]
    operations = [migrations.RunPython(lambda apps, editor: _run(editor, FORWARD),
                                       lambda apps, editor: _run(editor, BACKWARD))]
