"""Full-text search of requests: the one place that knows how it is done on each database.

A request's searchable text comes in two parts kept apart: the public one (subject, description and
public interventions) and the internal one (internal comments). Clients search only the public part.

- PostgreSQL: two stored `tsvector` columns on the ticket row, `search_public` and `search_internal`,
  each with a GIN index, built with the `sysmo_es` configuration (Spanish stemming after `unaccent`).
  They are not model fields: only this module reads or writes them (migration 0004 adds them).
- SQLite: two FTS5 tables, `tickets_search_public` and `tickets_search_internal`, whose rowid is the
  request's number. FTS5 folds case and accents; Spanish stems are matched as prefixes
  ("impresoras" → `impresor*`, which finds "impresora").

The services call `refresh()` in the transaction of every change to a request's text (create, reply,
internal comment, closing message); `index_range()` and `rebuild()` serve the data generator and
`manage.py rebuild_search`. Nothing here uses LIKE over the tickets.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import Expression
from stdnum.ar import cuit as stdnum_cuit

CONFIG = "sysmo_es"
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_NUMBER_DIGITS = 12  # request numbers; longer digit strings are text (a CUIT, an invoice…)
TABLE = "tickets_ticket"
PUBLIC_FTS = "tickets_search_public"
INTERNAL_FTS = "tickets_search_internal"

# Words too common to narrow anything; PostgreSQL's Spanish configuration drops these and more.
STOP_WORDS = frozenset((
    "a", "al", "con", "de", "del", "el", "en", "es", "la", "las", "lo", "los", "me", "mi", "no", "o", "para",
    "por", "que", "se", "su", "un", "una", "y",
))


# --- What was typed ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """What the search box asked for: a request `number`, a `cuit`, or `text` to search."""

    text: str = ""
    number: int | None = None
    cuit: str = ""


def interpret(typed):
    """A number (#123 or 123) or a valid CUIT (with or without dashes) goes straight to its match."""
    text = " ".join((typed or "").split())[:MAX_QUERY_LENGTH]
    digits = re.fullmatch(rf"#?\s*(\d{{1,{MAX_NUMBER_DIGITS}}})", text)
    compact = re.sub(r"[\s.-]", "", text)
    if re.fullmatch(r"\d{11}", compact) and stdnum_cuit.is_valid(compact):
        return Query(text=text, cuit=stdnum_cuit.format(compact))
    if digits and int(digits.group(1)) > 0:
        return Query(text=text, number=int(digits.group(1)))
    return Query(text=text)


# --- Searching -----------------------------------------------------------------------------------

def matching(queryset, text, *, include_internal):
    """The requests of `queryset` whose text matches every word of `text`.

    `include_internal` adds internal comments to what is searched: only for people who may read them.
    """
    if connection.vendor == "postgresql":
        condition = _postgres_condition(text, include_internal)
    else:
        condition = _sqlite_condition(text, include_internal)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


# The conditions; {t} is the ticket table's alias in the query at hand (a subquery renames it). What was
# typed is always a parameter, never formatted into the SQL.
POSTGRES_PUBLIC = "{t}.search_public @@ plainto_tsquery(%s, %s)"
POSTGRES_ANY = "({t}.search_public @@ plainto_tsquery(%s, %s) OR {t}.search_internal @@ plainto_tsquery(%s, %s))"
SQLITE_PUBLIC = "{t}.number IN (SELECT rowid FROM tickets_search_public WHERE tickets_search_public MATCH %s)"
SQLITE_ANY = ("({t}.number IN (SELECT rowid FROM tickets_search_public WHERE tickets_search_public MATCH %s) "
              "OR {t}.number IN (SELECT rowid FROM tickets_search_internal WHERE tickets_search_internal MATCH %s))")


class Matches(Expression):
    """A condition on the ticket row of the query it ends up in, whatever alias that query gives the table."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, template, params):
        super().__init__()
        self.template, self.params = template, params

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return self.template.format(t=alias), self.params


def _postgres_condition(text, include_internal):
    if include_internal:
        return Matches(POSTGRES_ANY, [CONFIG, text, CONFIG, text])
    return Matches(POSTGRES_PUBLIC, [CONFIG, text])


def _sqlite_condition(text, include_internal):
    expression = fts_expression(text)
    if not expression:
        return None
    if include_internal:
        return Matches(SQLITE_ANY, [expression, expression])
    return Matches(SQLITE_PUBLIC, [expression])


def fts_expression(text):
    """An FTS5 query: every word's Spanish stem as a quoted prefix, all required. Nothing typed reaches FTS5 syntax."""
    words = [word for word in re.findall(r"\w+", text.lower()) if word not in STOP_WORDS]
    terms = dict.fromkeys(_fold(_stem(word)) for word in words[:MAX_TERMS])
    return " AND ".join(f'"{term}"*' for term in terms if term)


@lru_cache(maxsize=4096)
def _stem(word):
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("spanish")


def _fold(word):
    """Without accents (ñ → n), as FTS5's `remove_diacritics` stores words."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


# --- Keeping the index up to date ------------------------------------------------------------------

def _bodies_sql(internal):
    """The bodies of a ticket's public or internal interventions, in order, as one text (SQL for `t`)."""
    if connection.vendor == "postgresql":
        return _POSTGRES_BODIES[internal]
    return _SQLITE_BODIES[internal]


_POSTGRES_BODIES = {
    False: ("(SELECT string_agg(i.body, ' ' ORDER BY i.created_at, i.id) FROM tickets_intervention i "
            "WHERE i.ticket_id = t.number AND i.internal = FALSE)"),
    True: ("(SELECT string_agg(i.body, ' ' ORDER BY i.created_at, i.id) FROM tickets_intervention i "
           "WHERE i.ticket_id = t.number AND i.internal = TRUE)"),
}
# SQLite stores booleans as 0/1 and its group_concat keeps the order of an ordered subquery.
_SQLITE_BODIES = {
    False: ("(SELECT group_concat(body, ' ') FROM (SELECT i.body FROM tickets_intervention i "
            "WHERE i.ticket_id = t.number AND i.internal = 0 ORDER BY i.created_at, i.id))"),
    True: ("(SELECT group_concat(body, ' ') FROM (SELECT i.body FROM tickets_intervention i "
           "WHERE i.ticket_id = t.number AND i.internal = 1 ORDER BY i.created_at, i.id))"),
}


def postgres_vectors_sql():
    """The two tsvector expressions of a ticket aliased `t`: (public, internal). Also used by the generator."""
    public = f"to_tsvector('{CONFIG}', concat_ws(' ', t.subject, t.description, {_bodies_sql(False)}))"
    internal = f"to_tsvector('{CONFIG}', coalesce({_bodies_sql(True)}, ''))"
    return public, internal


def refresh(numbers):
    """Recompute the searchable text of these requests, in the caller's transaction."""
    numbers = list(numbers)
    if numbers:
        _write(f"t.number IN ({', '.join(['%s'] * len(numbers))})", numbers)


def index_range(first, last):
    """Recompute the searchable text of the requests numbered first…last (a generator batch)."""
    _write("t.number BETWEEN %s AND %s", [first, last])


def _write(where, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            public, internal = postgres_vectors_sql()
            # Only SQL from this module is formatted in; every value is a parameter.
            cursor.execute(
                f"UPDATE {TABLE} AS t SET search_public = {public}, search_internal = {internal} WHERE {where}",  # noqa: S608
                params,
            )
            return
        rowids = where.replace("t.number", "rowid")
        for table in (PUBLIC_FTS, INTERNAL_FTS):
            cursor.execute(f"DELETE FROM {table} WHERE {rowids}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {PUBLIC_FTS} (rowid, body) "  # noqa: S608
            f"SELECT t.number, t.subject || ' ' || t.description || coalesce(' ' || {_bodies_sql(False)}, '') "
            f"FROM {TABLE} t WHERE {where}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {INTERNAL_FTS} (rowid, body) "  # noqa: S608
            f"SELECT number, body FROM (SELECT t.number, {_bodies_sql(True)} AS body FROM {TABLE} t WHERE {where}) "
            "WHERE body IS NOT NULL",
            params,
        )


def rebuild(batch_size=20_000, progress=None):
    """Recompute every request's searchable text, in batches of numbers (each its own transaction)."""
    from django.db import transaction

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(number), max(number) FROM {TABLE}")  # noqa: S608
        low, high = cursor.fetchone()
    if low is None:
        return 0
    for first in range(low, high + 1, batch_size):
        last = min(first + batch_size - 1, high)
        with transaction.atomic():
            index_range(first, last)
        if progress:
            progress(last - first + 1)
    return high - low + 1
