"""Full-text search of requests: the one place that knows how text is matched, the same on every database.

A request's searchable text comes in two parts kept apart: the public one (subject, description and
public interventions) and the internal one (internal comments). Clients search only the public part.

Both sides go through one normaliser in Python, `words()` and `normal_form()`, so PostgreSQL and SQLite
compare the very same tokens and answer the same (tickets/tests/test_search_parity.py is the table):

- a word is lowercased and loses its accents (ñ → n), and the stop words go;
- its normal form is its singular by the Spanish plural rules (z → c before -es: luz/luces; -es after a
  consonant: régimen/regímenes, canción/canciones; -s after a vowel or, in words from English, after a
  consonant: tickets; a final -e: cliente/clientes) and then its Snowball Spanish stem (factura, facturas,
  facturar → factur);
- what is stored for a text is the set of its words as written (folded) and their normal forms;
- a query requires every word typed (AND): each by its normal form, and the last one also as a prefix of a
  stored word, because it may still be being typed ("documen" finds "Documentación").

Where it is stored:
- PostgreSQL: two `tsvector` columns on the ticket row, `search_public` and `search_internal`, each with a
  GIN index, written from the Python terms (no text search configuration touches them), and a vocabulary
  table of the terms each column holds, which turns a search into a `tsquery` of terms the column has, with
  the last word's completions spelled out (see `tsquery` and `vocabulary` for why).
  None of these are model fields: only this module reads or writes them (migrations 0004 and 0006).
- SQLite: two FTS5 tables, `tickets_search_public` and `tickets_search_internal` (`ascii` tokenizer, which
  splits the stored terms at the spaces and changes nothing else), whose rowid is the request's number.

The services call `refresh()` in the transaction of every change to a request's text (create, reply,
internal comment, closing message); `index_range()` and `rebuild()` serve `manage.py rebuild_search`, and
`document()`, `add_to_fts()` and `remember_terms()` the data generator. Nothing here uses LIKE over the
tickets.
"""

import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import Expression
from stdnum.ar import cuit as stdnum_cuit

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_WORD_LENGTH = 60  # longer "words" (a pasted hash, a URL's tail) are cut here, when stored and when typed
MAX_NUMBER_DIGITS = 12  # request numbers; longer digit strings are text (a CUIT, an invoice…)
TABLE = "tickets_ticket"
PUBLIC_FTS = "tickets_search_public"
INTERNAL_FTS = "tickets_search_internal"
VOCABULARY = "tickets_search_term"  # PostgreSQL: every term stored in each column (see `vocabulary`)
MAX_COMPLETIONS = 100

# Words too common to narrow anything: neither stored nor searched.
STOP_WORDS = frozenset((
    "a", "al", "con", "de", "del", "el", "en", "es", "la", "las", "lo", "los", "me", "mi", "no", "o", "para",
    "por", "que", "se", "su", "un", "una", "y",
))
WORD = re.compile(r"[^\W_]+")  # letters and digits; anything else separates words
VOWELS = frozenset("aeiou")


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


# --- Words and their normal form ----------------------------------------------------------------

def words(text):
    """The words of `text` as they are compared: lowercase, without accents (ñ → n), no stop words, in order."""
    folded = _fold((text or "").lower())
    return [word[:MAX_WORD_LENGTH] for word in WORD.findall(folded) if word not in STOP_WORDS]


def _fold(text):
    """Without accents or other combining marks (á → a, ü → u, ñ → n)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def normal_form(word):
    """The token a folded word is compared by: its singular, then its Snowball Spanish stem.

    The singular follows the Spanish plural rules, so that a plural and its singular reach the same string
    before the stemmer sees them: a final z becomes c (luz, luces → luc), -es goes after a consonant (regimenes →
    regimen, canciones → cancion, intereses → interes → inter), -s after a vowel (casas → casa) or after
    another consonant (tickets → ticket) and a final -e (cliente, clientes → client). Applied until nothing
    changes; a rule never leaves fewer than 2 letters (mes, gas and fe stay as they are).
    """
    while cut := _plural_ending(word):
        word = word[:-cut]
    return _stemmer().stemWord(word.removesuffix("z") + "c" if word.endswith("z") else word)


def _plural_ending(word):
    """How many final letters of `word` the singular rules take away next (0: none)."""
    if word.endswith("z"):
        return 0  # handled by the caller, after the other rules: luces → luc, luz → luc
    if len(word) >= 4 and word.endswith("es") and word[-3].isalpha() and word[-3] not in VOWELS:
        return 2
    if len(word) >= 4 and word.endswith("s") and word[-2] in VOWELS:
        return 1  # casas → casa
    if len(word) >= 3 and word.endswith("s") and word[-2].isalpha() and word[-2] not in VOWELS | {"s"}:
        return 1  # words taken from English: tickets → ticket, routers → router, pcs → pc
    if len(word) >= 3 and word.endswith("e"):
        return 1  # cliente → client, as clientes
    return 0


_local = threading.local()


def _stemmer():
    """This thread's stemmer: a Snowball stemmer keeps the word at hand in itself, so threads must not share one
    (the data generator indexes on two threads; a threaded server may search on several)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("spanish")
    return stemmer


def text_terms(text):
    """What is stored for one text: its words as written (folded) and their normal forms."""
    found = set(words(text))
    return frozenset(found.union([normal_form(word) for word in found]))


def terms_of(*texts, cache=None):
    """The set of terms stored for these texts together. `cache` (a dict) remembers the terms of each text,
    for callers that index the same texts many times (the data generator)."""
    terms = set()
    for text in texts:
        if not text:
            continue
        if cache is None:
            terms.update(text_terms(text))
            continue
        known = cache.get(text)
        if known is None:
            known = cache[text] = text_terms(text)
        terms.update(known)
    return terms


def document(*texts, cache=None):
    """The stored form of these texts together: their terms (`terms_of`), separated by spaces.

    The same string is a valid PostgreSQL `tsvector` literal (terms are letters and digits only) and an FTS5
    body.
    """
    return " ".join(terms_of(*texts, cache=cache))


def query_terms(text):
    """What a search for `text` requires: a (normal form, prefix) pair for each word typed, all of them.

    A word matches a request when its normal form is among the request's terms; the last word also when its
    `prefix` (the word as typed, folded) begins one of them. `prefix` is None for the other words. Up to
    MAX_TERMS words; an empty list when nothing searchable was typed.
    """
    typed = words(text)[:MAX_TERMS]
    terms = {}
    for position, word in enumerate(typed):
        terms[normal_form(word)] = word if position == len(typed) - 1 else None
    return list(terms.items())


# --- Searching -----------------------------------------------------------------------------------

def matching(queryset, text, *, include_internal, ordering=()):
    """The requests of `queryset` whose text matches every word of `text` (see `query_terms`).

    `include_internal` adds internal comments to what is searched: only for people who may read them. A
    request matches when all the words are in its public text, or all of them in its internal text.
    Nothing searchable typed (only stop words or punctuation) matches nothing. `ordering`: the list's order;
    on PostgreSQL it chooses how the search is read (see `dense` and `few_matches`).
    """
    terms = query_terms(text)
    if not terms:
        return queryset.none()
    if connection.vendor != "postgresql":
        template = SQLITE_ANY if include_internal else SQLITE_PUBLIC
        return queryset.filter(Matches(template, [fts_expression(terms)] * template.count("%s")))
    columns = {"search_public": False, "search_internal": True} if include_internal else {"search_public": False}
    known = vocabulary(terms)
    conditions = {column: tsquery(terms, known[internal]) for column, internal in columns.items()}
    conditions = {column: query for column, query in conditions.items() if query is not None}
    if not conditions:
        return queryset.none()  # some word is in no request's text
    template = " OR ".join(f"{{t}}.{column} @@ %s::tsquery" for column in conditions)
    searched = queryset.filter(Matches(f"({template})", list(conditions.values())))
    if any(":*" in query for query in conditions.values()):
        return searched  # a prefix with more than MAX_COMPLETIONS completions: common, the usual plan serves it
    if ordering and dense(queryset, template, list(conditions.values()), ordering):
        return searched
    numbers = few_matches(searched)
    if numbers is None:
        return searched
    return queryset.filter(number__in=numbers) if numbers else queryset.none()


WALK = 1000  # rows of the list read in its order to tell whether the matches are dense (see `dense`)
PAGE_HITS = 26  # a first page and one more (tickets.pagination.PER_PAGE + 1)
FEW_MATCHES = 2000  # at most this many matches are listed by number (see `few_matches`)
PROBE_TIMEOUT_MS = 1000  # a sparse search the probe cannot settle in this time is read the usual way
PROBE_WORK_MEM = "64MB"


def dense(queryset, template, params, ordering):
    """PostgreSQL: whether a first page of matches is among the first WALK requests of the list in its order.

    This is how the usual plan reads a search: walking the list's order index, testing each row, until a page
    is full; with dense matches (a common word, in a tray where it occurs) it stops after a few dozen rows.
    Reading at most WALK rows the same way tells, at a bounded cost, whether it will; if not, `few_matches`.
    """
    try:
        window, window_params = queryset.order_by(*ordering).values_list("number", flat=True)[:WALK].query \
            .sql_with_params()
    except EmptyResultSet:
        return False
    condition = template.format(t="t")
    sql = (f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} t JOIN ({window}) w ON t.number = w.number "  # noqa: S608
           f"WHERE {condition} LIMIT {PAGE_HITS}) hits")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*window_params, *params])
        return cursor.fetchone()[0] >= PAGE_HITS


def few_matches(searched):
    """PostgreSQL: the numbers of every request `searched` (a search with all the list's filters) finds, when
    there are at most FEW_MATCHES of them; None when there are more (or finding out took too long).

    Why: the planner prices a search from each word's frequency as if words were independent, and a word's
    frequency over the whole table. Words each common but never together ("vpn impresora"), or a word common
    in the table but absent from the chosen topic, state, tray or dates, look like thousands of matches: the
    planner walks the tray's order index reading every row for 26 matches that never come (~1 s at 1M). Here
    the same conditions are asked of the indexes only (the GIN search index, intersected with the btree ones
    of the filters: sequential and plain index scans are switched off for this one query), which answer an
    empty or small combination in milliseconds; the list then reads those rows by number. More than
    FEW_MATCHES means the matches are dense enough for the usual plan to find a page quickly.
    """
    try:
        sql, params = searched.order_by().values_list("number", flat=True)[:FEW_MATCHES + 1].query.sql_with_params()
    except EmptyResultSet:  # the list's other conditions already exclude everything
        return []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # For this query only: in a transaction already (a test, an atomic view) SET LOCAL would outlive it.
            # work_mem: bitmaps of a few hundred thousand rows stay exact, so intersecting them reads no table page.
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                "current_setting('statement_timeout'), current_setting('work_mem'), "
                "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true), "
                "set_config('statement_timeout', %s, true), set_config('work_mem', %s, true)",
                [f"{int(PROBE_TIMEOUT_MS)}ms", PROBE_WORK_MEM],
            )
            saved = cursor.fetchone()[:4]
            cursor.execute(sql, params)
            numbers = [number for (number,) in cursor.fetchall()]
            cursor.execute("SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true), "
                           "set_config('statement_timeout', %s, true), set_config('work_mem', %s, true)", list(saved))
    except OperationalError:  # the timeout: a search this costly to narrow is a common one
        return None
    return None if len(numbers) > FEW_MATCHES else numbers


# The conditions; {t} is the ticket table's alias in the query at hand (a subquery renames it). The query is
# always a parameter, never formatted into the SQL.
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


@dataclass(frozen=True)
class Known:
    """What one column's vocabulary holds of a search: the normal forms it has, and the terms the last word's
    prefix begins (None: more than MAX_COMPLETIONS, or not looked up)."""

    present: frozenset
    completions: tuple | None


def tsquery(terms, known=None):
    """A PostgreSQL `tsquery` literal requiring every term of `query_terms()`, or None if one cannot match.

    Without `known` it asks for every term and the prefix operator (`'docu':*`). With `known` (see
    `vocabulary()`) it asks only for terms the column holds, and spells out the prefix's completions: the
    planner knows how often each stored term occurs (the columns' statistics) but prices a prefix as a scan of
    the GIN index, and then prefers to walk the whole tray looking for matches that may not exist (seconds at
    1M requests). A word none of whose terms the column holds makes the column impossible: None.
    """
    parts = []
    for normal, prefix in terms:
        if known is None:
            alternatives = [normal, *([f"{prefix}:*"] if prefix else [])]
        else:
            alternatives = [normal] if normal in known.present else []
            if prefix and known.completions is None:
                alternatives.append(f"{prefix}:*")
            elif prefix:
                alternatives += [term for term in known.completions if term != normal]
        if not alternatives:
            return None
        if alternatives == [normal, f"{normal}:*"]:
            alternatives = [f"{normal}:*"]  # the prefix is the normal form: it covers it
        spelled = " | ".join(_tsquery_term(term) for term in alternatives)
        parts.append(f"({spelled})" if len(alternatives) > 1 else spelled)
    return " & ".join(parts)


def _tsquery_term(term):
    return f"'{term[:-2]}':*" if term.endswith(":*") else f"'{term}'"


def vocabulary(terms):
    """PostgreSQL: what the vocabulary holds of `terms` (see `query_terms`), as {internal: Known} for both columns.

    The vocabulary table has every term ever stored in each column (refresh, rebuild and the generator add to
    it; terms are never removed: one that no request has any more only makes a longer query), so asking only for
    what it holds finds the same requests. One query: the normal forms, and up to MAX_COMPLETIONS terms per
    column that begin with the last word's prefix (more mean a common prefix, where the prefix operator is
    planned well).
    """
    normals = [normal for normal, _ in terms]
    prefix = terms[-1][1]
    sql = f"SELECT term, internal, FALSE AS begun FROM {VOCABULARY} WHERE term = ANY(%s::text[])"  # noqa: S608
    params = [normals]
    limit = 2 * MAX_COMPLETIONS + 1  # both columns; a term stored twice at once may take two places
    if prefix:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the terms are in C collation: byte (code point) order
        sql = (f"({sql}) UNION ALL (SELECT term, internal, TRUE FROM {VOCABULARY} "  # noqa: S608
               "WHERE term >= %s AND term < %s ORDER BY term LIMIT %s)")
        params += [prefix, upper, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    begun_rows = sum(begun for _, _, begun in rows)
    known = {}
    for internal in (False, True):
        present = frozenset(term for term, column, begun in rows if column is internal and not begun)
        completions = tuple(sorted({term for term, column, begun in rows if column is internal and begun}))
        too_many = begun_rows >= limit or len(completions) > MAX_COMPLETIONS
        known[internal] = Known(present, None if too_many else completions)
    return known


def remember_terms(terms, *, internal):
    """PostgreSQL: add to the vocabulary of the public or internal column those of `terms` it does not hold yet.

    No unique constraint, so that concurrent writers never wait for each other: a term two transactions add at
    once is stored twice, which the searches read as one.
    """
    terms = sorted(terms)
    if not terms or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {VOCABULARY} (term, internal) SELECT DISTINCT n.term, %s FROM unnest(%s::text[]) AS n(term) "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {VOCABULARY} v WHERE v.term = n.term AND v.internal = %s)",
            [internal, terms, internal],
        )


def fts_expression(terms):
    """An FTS5 query requiring every term of `query_terms()`: quoted strings, so nothing typed is FTS5 syntax."""
    parts = []
    for normal, prefix in terms:
        if prefix is None:
            parts.append(f'"{normal}"')
        elif prefix == normal:
            parts.append(f'"{prefix}"*')
        else:
            parts.append(f'("{normal}" OR "{prefix}"*)')
    return " AND ".join(parts)


# --- Keeping the index up to date ------------------------------------------------------------------

def refresh(numbers):
    """Recompute the searchable text of these requests, in the caller's transaction."""
    numbers = list(numbers)
    if numbers:
        _reindex(f"{{n}} IN ({', '.join(['%s'] * len(numbers))})", numbers)


def index_range(first, last):
    """Recompute the searchable text of the requests numbered first…last."""
    _reindex("{n} BETWEEN %s AND %s", [first, last])


def _reindex(where, params):
    """Read the texts of the requests `where` selects ({n} is the number column), compute and store their terms."""
    public, internal = defaultdict(list), defaultdict(list)
    with connection.cursor() as cursor:
        # Only SQL from this module is formatted in; every value is a parameter.
        cursor.execute(f"SELECT number, subject, description FROM {TABLE} WHERE {where.format(n='number')}",  # noqa: S608
                       params)
        for number, subject, description in cursor.fetchall():
            public[number] += (subject, description)
        cursor.execute(
            f"SELECT ticket_id, internal, body FROM tickets_intervention WHERE {where.format(n='ticket_id')}",  # noqa: S608
            params,
        )
        for number, is_internal, body in cursor.fetchall():
            if number in public:
                (internal if is_internal else public)[number].append(body)
        rows, public_vocabulary, internal_vocabulary = [], set(), set()
        for number, texts in public.items():
            public_terms, internal_terms = terms_of(*texts), terms_of(*internal[number])
            public_vocabulary.update(public_terms)
            internal_vocabulary.update(internal_terms)
            rows.append((number, " ".join(public_terms), " ".join(internal_terms)))
        if connection.vendor == "postgresql":
            remember_terms(public_vocabulary, internal=False)
            remember_terms(internal_vocabulary, internal=True)
            if rows:
                cursor.execute(
                    f"UPDATE {TABLE} AS t SET search_public = v.public::tsvector, "  # noqa: S608
                    "search_internal = v.internal::tsvector "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(number, public, internal) "
                    "WHERE t.number = v.number",
                    [[row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows]],
                )
            return
        for table in (PUBLIC_FTS, INTERNAL_FTS):
            cursor.execute(f"DELETE FROM {table} WHERE {where.format(n='rowid')}", params)  # noqa: S608
    add_to_fts(rows)


def add_to_fts(rows):
    """SQLite: index requests that are not indexed yet. `rows`: (number, public document, internal document).

    The documents come from `document()`; the data generator calls this for the requests it has just written.
    """
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {PUBLIC_FTS} (rowid, body) VALUES (%s, %s)",  # noqa: S608
                           [(number, public) for number, public, _ in rows])
        cursor.executemany(f"INSERT INTO {INTERNAL_FTS} (rowid, body) VALUES (%s, %s)",  # noqa: S608
                           [(number, internal) for number, _, internal in rows if internal])


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
