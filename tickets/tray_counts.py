"""The tab counts at any size: requests per (topic, state) and per (assignee, state).

An exact COUNT(*) over a tray of hundreds of thousands of requests costs tens of milliseconds on every
page (DESIGN.md, "Shape for speed"). The services are the only writers of requests, so they keep these
counters exact by calling `moved()` in the same transaction as each change. `rebuild()` recounts
everything (after a bulk load or a migration); `drift()` tells whether the counters disagree with the
requests.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connection

from tickets.models import AssigneeStateCount, TopicStateCount

TOPIC_TABLE = TopicStateCount._meta.db_table
ASSIGNEE_TABLE = AssigneeStateCount._meta.db_table


@dataclass(frozen=True)
class Place:
    """What a request counts towards: its topic, its state and its assignee (or None)."""

    topic_id: int
    state: str
    assignee_id: int | None


def place_of(ticket):
    return Place(ticket.topic_id, ticket.state, ticket.assignee_id)


def moved(before, after):
    """One request left `before` and is now at `after`; either may be None (created, deleted)."""
    by_topic, by_assignee = Counter(), Counter()
    for place, step in ((before, -1), (after, 1)):
        if place is None:
            continue
        by_topic[(place.topic_id, place.state)] += step
        if place.assignee_id:
            by_assignee[(place.assignee_id, place.state)] += step
    _add(TOPIC_TABLE, "topic_id", by_topic)
    _add(ASSIGNEE_TABLE, "assignee_id", by_assignee)


def _add(table, owner, deltas):
    # Rows are locked in one order by every transaction, so two moves never wait for each other in a circle.
    changes = sorted((key, delta) for key, delta in deltas.items() if delta)
    if not changes:
        return
    rows = ", ".join(["(%s, %s, %s)"] * len(changes))
    params = [value for (owner_id, state), delta in changes for value in (owner_id, state, delta)]
    with connection.cursor() as cursor:
        # Only names from this module are formatted in; every value is a parameter.
        cursor.execute(
            f'INSERT INTO {table} ({owner}, state, "count") VALUES {rows} '  # noqa: S608
            f'ON CONFLICT ({owner}, state) DO UPDATE SET "count" = {table}."count" + excluded."count"',
            params,
        )


_RECOUNT = {
    TOPIC_TABLE: "SELECT topic_id, state, COUNT(*) FROM tickets_ticket GROUP BY topic_id, state",
    ASSIGNEE_TABLE: ("SELECT assignee_id, state, COUNT(*) FROM tickets_ticket WHERE assignee_id IS NOT NULL "
                     "GROUP BY assignee_id, state"),
}
_OWNER = {TOPIC_TABLE: "topic_id", ASSIGNEE_TABLE: "assignee_id"}


def rebuild():
    """Recount every request, in the caller's transaction (one pass over the tickets per table)."""
    with connection.cursor() as cursor:
        for table, recount in _RECOUNT.items():
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute(f'INSERT INTO {table} ({_OWNER[table]}, state, "count") {recount}')  # noqa: S608


def drift():
    """The counters that disagree with the requests: {(table, owner id, state): (counter, actual)}."""
    found = {}
    with connection.cursor() as cursor:
        for table, recount in _RECOUNT.items():
            cursor.execute(recount)
            actual = {(owner, state): count for owner, state, count in cursor.fetchall()}
            cursor.execute(f'SELECT {_OWNER[table]}, state, "count" FROM {table}')  # noqa: S608
            stored = {(owner, state): count for owner, state, count in cursor.fetchall()}
            for key in actual.keys() | stored.keys():
                if actual.get(key, 0) != stored.get(key, 0):
                    found[(table, *key)] = (stored.get(key, 0), actual.get(key, 0))
    return found
