"""Search terms computed in Python, the same on both databases (tickets/search.py), for existing requests too.

PostgreSQL keeps its two tsvector columns and GIN indexes; they are rewritten with the terms of
`tickets.search.document()` (no text search configuration is involved any more; `sysmo_es` stays, unused),
and a vocabulary table holds every term stored in each (`search.vocabulary`).
SQLite's FTS5 tables are made again with the `ascii` tokenizer, which keeps those terms as they are, and filled.
Going back recomputes what migration 0004 stored.
"""

from importlib import import_module

from django.db import migrations

from tickets import search

FTS5_OPTIONS = "tokenize = 'ascii', detail = none"
SQLITE_TABLES = [
    "DROP TABLE IF EXISTS tickets_search_public",
    "DROP TABLE IF EXISTS tickets_search_internal",
    f"CREATE VIRTUAL TABLE tickets_search_public USING fts5(body, {FTS5_OPTIONS})",
    f"CREATE VIRTUAL TABLE tickets_search_internal USING fts5(body, {FTS5_OPTIONS})",
]


POSTGRES_VOCABULARY = [
    # Each term stored in the public or the internal column. C collation: a prefix is a range of the index
    # (term >= 'abc' AND term < 'abd'). Not unique, on purpose (tickets.search.remember_terms).
    'CREATE TABLE tickets_search_term (term text COLLATE "C" NOT NULL, internal boolean NOT NULL)',
    "CREATE INDEX tickets_search_term_idx ON tickets_search_term (term, internal)",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_TABLES, "postgresql": POSTGRES_VOCABULARY}
    with schema_editor.connection.cursor() as cursor:
        for statement in statements.get(schema_editor.connection.vendor, []):
            cursor.execute(statement)
    # The live code, not a snapshot: this migration exists to store what tickets.search computes today.
    search.rebuild()


def backward(apps, schema_editor):
    previous = import_module("tickets.migrations.0004_full_text_search")
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("DROP TABLE IF EXISTS tickets_search_term")
            cursor.execute(next(sql for sql in previous.POSTGRES_FORWARD if "UPDATE tickets_ticket" in sql))
        elif vendor == "sqlite":
            for statement in previous.SQLITE_BACKWARD + previous.SQLITE_FORWARD:
                cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0005_report_covering_indexes"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
