"""First responses in the order of their business minutes and of their calendar wait, in all and within each
topic and each person who answered, on PostgreSQL only.

As 0021 for the resolution time: the medians of a long period's first responses (reports.service_quality)
read the middle of these indexes instead of sorting every value of the period; the INCLUDE columns let the
walk filter by period, topic and who answered from the index alone.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS ticket_first_business_idx ON tickets_ticket (first_response_minutes) "
    "INCLUDE (first_response_at, topic_id, first_response_by_id) "
    "WHERE first_response_at IS NOT NULL AND first_response_minutes IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ticket_first_wait_idx ON tickets_ticket ((first_response_at - created_at)) "
    "INCLUDE (first_response_at, created_at, topic_id, first_response_by_id) WHERE first_response_at IS NOT NULL",
    *[statement for column, name in (("topic_id", "topic"), ("first_response_by_id", "by")) for statement in (
        f"CREATE INDEX IF NOT EXISTS ticket_first_business_{name}_idx ON tickets_ticket "
        f"({column}, first_response_minutes) INCLUDE (first_response_at) "
        "WHERE first_response_at IS NOT NULL AND first_response_minutes IS NOT NULL",
        f"CREATE INDEX IF NOT EXISTS ticket_first_wait_{name}_idx ON tickets_ticket "
        f"({column}, (first_response_at - created_at)) INCLUDE (first_response_at, created_at) "
        "WHERE first_response_at IS NOT NULL",
    )],
]
BACKWARD = [f"DROP INDEX IF EXISTS ticket_first_{value}{group}_idx"
            for value in ("business", "wait") for group in ("", "_topic", "_by")]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0021_resolution_time_index")]
    operations = [migrations.RunPython(lambda apps, editor: _run(editor, FORWARD),
                                       lambda apps, editor: _run(editor, BACKWARD))]
