"""Full-text search of requests (tickets/search.py).

PostgreSQL: the `unaccent` extension, a `sysmo_es` text search configuration (Spanish stemming after
unaccent), two tsvector columns on the ticket row with a GIN index each, filled for existing requests.
SQLite: two FTS5 tables whose rowid is the request's number, filled for existing requests.
The columns and tables are not model fields: only tickets/search.py reads and writes them.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'sysmo_es') THEN
            CREATE TEXT SEARCH CONFIGURATION sysmo_es (COPY = pg_catalog.spanish);
            ALTER TEXT SEARCH CONFIGURATION sysmo_es
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
        END IF;
    END $$
    """,
    "ALTER TABLE tickets_ticket ADD COLUMN search_public tsvector, ADD COLUMN search_internal tsvector",
    # With the default statistics a word ANALYZE did not sample is guessed at 0.5% of the requests, so
    # the planner walks the whole activity index looking for one that no request has (seconds at 1M).
    # A larger sample keeps ten thousand words with their frequencies and rare words go to the GIN index.
    "ALTER TABLE tickets_ticket ALTER COLUMN search_public SET STATISTICS 1000, "
    "ALTER COLUMN search_internal SET STATISTICS 1000",
    # A snapshot of tickets.search.postgres_vectors_sql() as it was when this migration was written.
    """
    UPDATE tickets_ticket AS t SET
        search_public = to_tsvector('sysmo_es', concat_ws(' ', t.subject, t.description,
            (SELECT string_agg(i.body, ' ' ORDER BY i.created_at, i.id) FROM tickets_intervention i
             WHERE i.ticket_id = t.number AND i.internal = FALSE))),
        search_internal = to_tsvector('sysmo_es', coalesce(
            (SELECT string_agg(i.body, ' ' ORDER BY i.created_at, i.id) FROM tickets_intervention i
             WHERE i.ticket_id = t.number AND i.internal = TRUE), ''))
    """,
    # Named for the query they serve: "every word of the search box" over the public or internal text.
    "CREATE INDEX ticket_search_public_idx ON tickets_ticket USING gin (search_public)",
    "CREATE INDEX ticket_search_internal_idx ON tickets_ticket USING gin (search_internal)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS ticket_search_internal_idx",
    "DROP INDEX IF EXISTS ticket_search_public_idx",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_public, DROP COLUMN IF EXISTS search_internal",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS sysmo_es",
]

FTS5_OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', detail = column"
SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE tickets_search_public USING fts5(body, {FTS5_OPTIONS})",
    f"CREATE VIRTUAL TABLE tickets_search_internal USING fts5(body, {FTS5_OPTIONS})",
    """
    INSERT INTO tickets_search_public (rowid, body)
    SELECT t.number, t.subject || ' ' || t.description || coalesce(' ' || (SELECT group_concat(body, ' ') FROM
        (SELECT i.body FROM tickets_intervention i WHERE i.ticket_id = t.number AND i.internal = 0
         ORDER BY i.created_at, i.id)), '')
    FROM tickets_ticket t
    """,
    """
    INSERT INTO tickets_search_internal (rowid, body)
    SELECT number, body FROM (SELECT t.number, (SELECT group_concat(body, ' ') FROM
        (SELECT i.body FROM tickets_intervention i WHERE i.ticket_id = t.number AND i.internal = 1
         ORDER BY i.created_at, i.id)) AS body FROM tickets_ticket t) WHERE body IS NOT NULL
    """,
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS tickets_search_internal",
    "DROP TABLE IF EXISTS tickets_search_public",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0003_tray_counts_and_state_order"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
