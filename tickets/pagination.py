"""Keyset pagination: a page starts right after the last row of the previous one (or ends right before
the first row of the next one), so the 40,000th page costs what the first does: one index range.

The position travels in the URL as a cursor, the order keys of that row joined by dots, e.g.
`desde=1741539900123456.1234` for (last activity in microseconds, number). A cursor that does not
parse is not an error: the list starts at its first page and says so.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from tickets.models import State

PER_PAGE = 25
MAX_PAGE_NUMBER = 10**6
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadCursor(ValueError):
    """A cursor that is not one of ours (edited by hand, or cut short)."""


@dataclass
class Page:
    items: list
    number: int  # for display only: "página 3"
    next_cursor: str = ""
    previous_cursor: str = ""
    has_previous: bool = False

    @property
    def has_next(self):
        return bool(self.next_cursor)

    @property
    def first_index(self):
        return (self.number - 1) * PER_PAGE + 1 if self.items else 0

    @property
    def last_index(self):
        return self.first_index + len(self.items) - 1 if self.items else 0


def page_number(value):
    """The page number shown, from the URL: anything odd counts as the first page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE_NUMBER else 1


def page_of(queryset, ordering, *, after="", before="", number=1, per_page=None, related=(), columns=(),
            shown=None):
    """One page of `queryset` in `ordering`, after or before a cursor; one query. Raises BadCursor.

    `related`: what to select_related for the rows shown, joined only to the rows of the page; `columns`: the
    only columns read (all when empty; the ordering's keys among them); `shown`: a function that annotates the
    queryset of those rows (joined only to them too).
    """
    per_page = per_page or PER_PAGE
    fields = [key.lstrip("-") for key in ordering]
    descending = ordering[0].startswith("-")
    if before:
        reverse = [key[1:] if key.startswith("-") else f"-{key}" for key in ordering]
        beyond = _beyond(queryset, fields, decode(before, fields), not descending)
        rows = _rows(beyond, reverse, per_page + 1, related, columns, shown)
        if len(rows) <= per_page:  # back at the start: the first page as it is now
            return page_of(queryset, ordering, per_page=per_page, related=related, columns=columns, shown=shown)
        items = rows[:per_page][::-1]
        return Page(items, max(number, 2), next_cursor=encode(items[-1], fields),
                    previous_cursor=encode(items[0], fields), has_previous=True)
    if after:
        queryset = _beyond(queryset, fields, decode(after, fields), descending)
    rows = _rows(queryset, ordering, per_page + 1, related, columns, shown)
    items = rows[:per_page]
    return Page(
        items, max(number, 2) if after else 1,
        next_cursor=encode(items[-1], fields) if len(rows) > per_page else "",
        previous_cursor=encode(items[0], fields) if after and items else "", has_previous=bool(after),
    )


def _rows(queryset, ordering, limit, related, columns=(), shown=None):
    """The first `limit` rows in `ordering`, with their related rows.

    The range is read without joins (a subquery of numbers) and only those rows are joined: with the joins in
    the same query SQLite's planner may start from a joined table and sort the whole tray.
    """
    numbers = queryset.order_by(*ordering).values("pk")[:limit]
    rows = queryset.model.objects.filter(pk__in=numbers).select_related(*related)
    if columns:
        rows = rows.only(*columns)
    return list((shown(rows) if shown else rows).order_by(*ordering))


def _beyond(queryset, fields, values, descending):
    """The rows after `values` in the order (before them in value when the order is descending)."""
    if len(fields) == 1:
        return queryset.filter(**{f"{fields[0]}__{'lt' if descending else 'gt'}": values[0]})
    lookup = TupleLessThan if descending else TupleGreaterThan
    return queryset.filter(lookup(Tuple(*(F(name) for name in fields)), list(values)))


# --- Cursors -----------------------------------------------------------------------------------

def encode(ticket, fields):
    return ".".join(_encode_value(getattr(ticket, name)) for name in fields)


def _encode_value(value):
    if isinstance(value, datetime):
        delta = value - EPOCH
        return str(delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds)
    return str(value)


def decode(cursor, fields):
    """The order keys a cursor stands for, checked one by one."""
    parts = str(cursor).split(".")
    if len(parts) != len(fields):
        raise BadCursor(cursor)
    return tuple(_decode_value(name, part) for name, part in zip(fields, parts, strict=True))


def _decode_value(name, text):
    if name == "state":
        if text not in State.values:
            raise BadCursor(text)
        return text
    if not text.isdigit() or len(text) > 18:
        raise BadCursor(text)
    if name in ("number", "priority"):
        return int(text)
    try:
        return EPOCH + timedelta(microseconds=int(text))
    except OverflowError:
        raise BadCursor(text) from None
