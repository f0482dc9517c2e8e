"""New activity (issue 14, item 3): which requests changed since a staff member last opened them.

Pushed, so that reading is cheap: `opened()` writes one row per (person, request) when staff open a request
and clears its flags; every change of tickets.services calls `changed()`, which sets one flag on the rows
of that request for everybody but the actor (one UPDATE on seen_once, ticket first, in the change's
transaction; the rows also learn whether the request is still open). The trays read the flags of the page's
rows with one LEFT JOIN (`annotated`) and count the flagged open requests of each tab with one query
(`tab_counts`, from the partial index seen_news_idx: flagged rows of open requests only, so flags left on
requests closed since never pile up in what it reads). A request nobody opened has no row, hence no
marker. Clients have no rows read: never annotated, never counted.
"""

from django.db import connection, transaction
from django.db.models import Case, Count, F, FilteredRelation, Q, Value, When
from django.utils import timezone

from tickets import moves
from tickets.models import Seen, Ticket
from tickets.moves import Move

CLIENT_REPLY, INTERNAL_COMMENT, OTHER = Seen.FLAGS
ANY = Q(new_client_reply=True) | Q(new_internal_comment=True) | Q(new_other=True)
_CLEARED = dict.fromkeys(Seen.FLAGS, False)


def opened(user, ticket):
    """`user` (staff) opened `ticket`'s page: their row says so and has no news. One query (an upsert), and on
    PostgreSQL one more: this commit does not wait for the write-ahead log to reach the disk (`synchronous_commit
    off` for this transaction alone). Staff open pages all day, and waiting for the disk was most of a request
    page's time (~27 ms of ~35 at 1M); a crash can at worst forget the last second's marks, and the requests then
    show as changed once more. Nothing for clients."""
    if not user.is_operator:
        return
    row = Seen(user=user, ticket_id=ticket.pk, seen_at=timezone.now(), ticket_open=ticket.is_open, **_CLEARED)
    alone = not connection.in_atomic_block  # inside a caller's transaction the setting would reach its writes
    with transaction.atomic(savepoint=False):
        if alone and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        Seen.objects.bulk_create([row], update_conflicts=True, unique_fields=["ticket", "user"],
                                 update_fields=["seen_at", "ticket_open", *Seen.FLAGS])


def flag_for(move, by):
    """Which flag a `move` by `by` (None: Sysmo itself) sets: a public message of the requester or another
    client, or their «Ya está resuelto», is a client's reply; an internal comment is one; anything else is a
    change."""
    if move == Move.COMMENT:
        return INTERNAL_COMMENT
    if move in (Move.REPLY, Move.RESOLVE) and by is not None and not by.is_operator:
        return CLIENT_REPLY
    return OTHER


def changed(ticket, move, by):
    """`by` made `move` on `ticket`: everybody else who opened it has news. One UPDATE, in the caller's
    transaction; nothing on a request just filed (nobody opened it yet)."""
    if move in (Move.CREATE, Move.CREATE_FOR_NEW_CLIENT):
        return
    flag = flag_for(move, by)
    news = Value(True) if by is None else Case(When(user_id=by.pk, then=F(flag)), default=Value(True))
    # Every row learns whether the request is still open (the actor's too); all but the actor's get the flag.
    Seen.objects.filter(ticket_id=ticket.pk).update(**{flag: news}, ticket_open=ticket.is_open)


def annotated(tickets, user):
    """`tickets` (a queryset) with `user`'s flags on each row (True, False or None when never opened), by one
    LEFT JOIN on seen_once. Clients: unchanged."""
    if not user.is_operator:
        return tickets
    mine = tickets.annotate(my_seen=FilteredRelation("seen", condition=Q(seen__user_id=user.pk)))
    return mine.annotate(**{flag: F(f"my_seen__{flag}") for flag in Seen.FLAGS})


def tab_counts(user, conditions):
    """{tray key: how many of its open requests have news for `user`}, from `conditions` ({key: Q on Ticket},
    tickets.selectors.tray_condition): one query over the person's flagged rows, which are few. {} for
    clients."""
    if not user.is_operator or not conditions:
        return {}
    news = Seen.objects.filter(ANY, user_id=user.pk, ticket_open=True).values("ticket_id")
    flagged = Ticket.objects.visible_to(user).filter(pk__in=news, state__in=moves.OPEN_STATES)
    return flagged.aggregate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
