"""Reads of tickets. Every one starts from `Ticket.objects.visible_to(user)` or a ticket it returned."""

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Case, F, Q, When
from django.utils.translation import gettext_lazy as _

from accounts import membership
from accounts.models import Role
from accounts.selectors import search_users
from tickets import moves, pagination, permissions
from tickets import news as tickets_news
from tickets.models import (
    STAFF_ONLY_EVENTS,
    AssigneeStateCount,
    Attachment,
    Colleague,
    Event,
    EventKind,
    Intervention,
    State,
    Ticket,
    TopicStateCount,
)
from topics import selectors as topics_selectors
from topics.models import Topic

# --- Trays (bandejas) -------------------------------------------------------------------------------

TRAY_CAP = 10_000  # "Realizadas por mí" is counted up to here (a client files far fewer)
RESULT_CAP = 500  # a filtered list is counted up to here: "más de 500"
TRAY_LABELS = {
    "realizadas": _("Realizadas por mí"),
    "asignadas": _("Asignadas a mí"),
    "sin_asignar": _("Sin asignar"),
    "tematicas": _("De mis temáticas"),
    "todas": _("Todas"),
    "en_copia": _("En copia"),
}
OPEN_STATES = tuple(sorted(moves.OPEN_STATES))


@dataclass(frozen=True)
class Tray:
    """A tab of the inbox and how many open requests it holds, which is what it lists unless the state
    filter says otherwise (tickets.filters: open first); per state when the counters keep it."""

    key: str
    count: int  # its open requests: the number the tab shows and the list holds by default
    capped: bool = False  # `count` is a floor: "más de 10.000"
    by_state: dict = None  # {state: count} of every state, for the trays the counters keep
    news: int = 0  # its open requests with news for the user since they last opened them (tickets.news)

    @property
    def label(self):
        return TRAY_LABELS[self.key]


def trays_for(user):
    """The trays a user has, in tab order, with their open requests counted: four small queries at most, at
    any size.

    Clients have one; operators their work first (theirs, their topics' unassigned, all their topics') and
    what they filed last; administrators also Todas.
    """
    mine = Tray("realizadas", *bounded_count(
        Ticket.objects.visible_to(user).filter(requester=user, state__in=OPEN_STATES), TRAY_CAP))
    if not user.is_operator:
        copied = _copy_tray(user)
        return [mine, copied] if copied else [mine]
    topic_ids = permissions.operated_topic_ids(user)
    per_topic = list(TopicStateCount.objects.values_list("topic_id", "state", "count"))
    per_assignee = AssigneeStateCount.objects.filter(assignee=user).values_list("state", "count")
    trays = []
    if user.is_administrator:
        trays.append(_counted("todas", [(state, count) for _topic, state, count in per_topic]))
    trays.append(_counted("asignadas", per_assignee))
    if topic_ids or not user.is_administrator:
        theirs = [(state, count) for topic, state, count in per_topic if topic in topic_ids]
        trays.append(_counted("sin_asignar", [(state, count) for state, count in theirs if state == State.NEW]))
        trays.append(_counted("tematicas", theirs))
    trays = [*trays, mine]
    news = tickets_news.tab_counts(user, {tray.key: tray_condition(user, tray.key) for tray in trays})
    return [replace(tray, news=news.get(tray.key) or 0) for tray in trays]


def _in_copy(user):
    """The requests `user` is in copy on now (issue 14) that they may see, as a subquery-ready queryset."""
    copies = Colleague.objects.filter(user_id=user.pk, removed_at__isnull=True).values("ticket_id")
    return Ticket.objects.visible_to(user).filter(pk__in=copies).exclude(requester_id=user.pk)


def _copy_tray(user):
    """«En copia», for a client in copy on any request (open or closed) they may see, counting its open ones
    up to TRAY_CAP; None for everyone else. One query, only for confirmed members (nobody else is in copy)."""
    if not (user.is_client and user.company_id and user.company_confirmed):
        return None
    states = list(_in_copy(user).order_by().values_list("state", flat=True)[:TRAY_CAP + 1])
    if not states:
        return None
    open_ones = sum(1 for state in states if state in OPEN_STATES)
    return Tray("en_copia", min(open_ones, TRAY_CAP), open_ones > TRAY_CAP)


def _counted(key, state_counts):
    by_state = {}
    for state, count in state_counts:
        by_state[state] = by_state.get(state, 0) + count
    return Tray(key, sum(by_state.get(state, 0) for state in OPEN_STATES), by_state=by_state)


def landing_tray(user, trays):
    """Where a user lands: administrators on Todas; operators on Asignadas a mí while they have open
    requests there, else on De mis temáticas; clients on Realizadas por mí, or on En copia when only that one
    has open requests."""
    keys = {tray.key: tray for tray in trays}
    if "en_copia" in keys and keys["en_copia"].count and not keys["realizadas"].count:
        return keys["en_copia"]
    if "todas" in keys:
        return keys["todas"]
    if "asignadas" in keys and (keys["asignadas"].count or "tematicas" not in keys):
        return keys["asignadas"]
    return keys.get("tematicas") or keys["realizadas"]


def tray_tickets(user, key):
    """The requests of one tray, starting from what the user may see."""
    return Ticket.objects.visible_to(user).filter(tray_condition(user, key))


def tray_condition(user, key):
    """What narrows what `user` may see to the tray `key` (a Q on Ticket; the tab counts of news use it too)."""
    if key == "realizadas":
        return Q(requester=user)
    if key == "en_copia":
        return Q(pk__in=Colleague.objects.filter(user_id=user.pk, removed_at__isnull=True).values("ticket_id")) & ~Q(
            requester_id=user.pk)
    if key == "asignadas":
        return Q(assignee=user)
    if key == "tematicas":
        return Q(topic_id__in=sorted(permissions.operated_topic_ids(user)))
    if key == "sin_asignar":
        # Nuevo is the state of a request nobody holds (tickets.moves: every move that gives it an assignee
        # leaves Nuevo, and one that takes the assignee away goes back to it), so the counters count it.
        return Q(topic_id__in=sorted(permissions.operated_topic_ids(user)), state=State.NEW)
    return Q(number__isnull=False)  # "todas": administrators see every request


# The columns a list's row shows (templates/tickets/_ticket_table.html, sla.templatetags.sla_clock.due_label) and
# every key of an ordering (the pagination's cursors): a row reads only these, not the description nor the
# whole of three people.
ROW_FIELDS = (
    "number", "subject", "state", "priority", "waiting_since", "sla_due_at", "sla_warn_at", "created_at",
    "last_activity_at", "public_activity_at", "topic__name", "company__name",
    "requester__full_name", "requester__email", "requester__company", "requester__company_confirmed",
    "assignee__full_name", "assignee__email",
)


def list_page(tickets, ordering, *, after="", before="", number=1, user=None):
    """One page of a list, with what each row shows, in one query (tickets.pagination); for staff (`user`)
    each row also carries their news flags (tickets.news.annotated), in the same query."""
    return pagination.page_of(tickets, ordering, after=after, before=before, number=number,
                              related=("topic", "requester", "company", "assignee"), columns=ROW_FIELDS,
                              shown=(lambda rows: tickets_news.annotated(rows, user)) if user is not None else None)


def bounded_count(tickets, cap, ordering=()):
    """(count, capped): counts at most `cap` rows. In the list's `ordering` the database walks the same
    index range as the list, stopping after `cap` rows, instead of first gathering every match."""
    found = tickets.order_by(*ordering).values("pk")[:cap + 1].count()
    return min(found, cap), found > cap


def result_count(tray, tickets, page, ordering, counted_states=None):
    """(count, capped) of the list, cheaply: from the counters when nothing but the state narrows a counted
    tray (`counted_states`: the states it holds, else None), from the page when it is the only one, else a
    bounded count."""
    if tray.by_state is not None and counted_states is not None:
        return sum(tray.by_state.get(state, 0) for state in counted_states), False
    if not page.has_next and not page.has_previous:
        return len(page.items), False
    return bounded_count(tickets, RESULT_CAP, ordering)


def assignable_people():
    """Whom the trays may be filtered by as assignee: active operators and administrators."""
    return topics_selectors.possible_operators()


def filter_options(user):
    """(value, label) of the topic list and, for staff, the assignee list and the active topics (bulk actions),
    with only the columns shown.

    A desk may have hundreds of operators: the lists are read as tuples, not through model choice fields.
    """
    topics = list(Topic.objects.order_by("name").values_list("pk", "name", "is_active"))
    options = {"tematica": [(pk, name) for pk, name, _active in topics]}
    if user.is_operator:
        people = assignable_people().values_list("pk", "full_name", "email")
        options["asignada"] = [(pk, name or email) for pk, name, email in people]
        # The trays' bulk actions move requests only to active topics (tickets.services.change_topic).
        options["tematica_activa"] = [(pk, name) for pk, name, active in topics if active]
    return options


def ticket_for(user, number):
    """The request with what its page shows, or None when the user may not see it (or it does not exist)."""
    # One number is one row: no ordering to compile nor to sort by (.first() would order by Meta.ordering).
    found = (
        Ticket.objects.visible_to(user)
        .select_related("topic", "requester", "company", "assignee", "closed_by")
        .filter(number=number)
        .order_by()[:1]
    )
    return next(iter(found), None)


# --- The history --------------------------------------------------------------------------------

# Entries at the same moment: the creation, then the description, then messages, then other events
# (a closing message reads before "closed it"; a client's message before "reopened").
_ORDER = {"created": 0, "description": 1, "message": 2, "event": 3}


@dataclass
class Entry:
    """One line of a request's history: a message (the description, a reply, an internal comment) or an event."""

    kind: str  # "description", "message" or "event"
    at: datetime
    author: object = None
    body: str = ""
    internal: bool = False
    event: Event = None
    attachments: list = field(default_factory=list)
    pk: int = None  # the intervention's, for messages after the description
    signature: str = ""  # copied from the author's profile when a staff member wrote it in public
    minutes: int = None  # time spent recorded with the message: only in the history of staff who work on it

    @property
    def is_message(self):
        return self.kind != "event"

    @property
    def anchor(self):
        """The fragment that lands on this message (the reply view redirects to it), or "" for events."""
        if self.kind == "message":
            return message_anchor(self.pk)
        return "descripcion" if self.kind == "description" else ""


def message_anchor(intervention_pk):
    """The id of a message on the request page: the page lands there after it is written."""
    return f"mensaje-{intervention_pk}"


def timeline(ticket, user):
    """Interventions and events in time order, files under their message: three queries however long.

    Users who may not see internal comments get neither them nor their files: filtered in SQL, not here.
    """
    with_internal = permissions.sees_internal(user, ticket)
    interventions = Intervention.objects.filter(ticket=ticket).select_related("author").order_by("created_at", "id")
    attachments = Attachment.objects.seen_by(user, ticket).order_by("created_at", "id")
    if not with_internal:
        interventions = interventions.filter(internal=False)
    # The minutes come in the same query (a join); only staff who work on the request get them.
    with_minutes = permissions.can_record_time(user, ticket)
    if with_minutes:
        interventions = interventions.annotate(minutes=F("time_entry__minutes"))
    files_of = {}
    for attachment in attachments.only("id", "intervention_id", "original_name", "size", "content_type"):
        files_of.setdefault(attachment.intervention_id, []).append(attachment)

    entries = [Entry("description", ticket.created_at, author=ticket.requester, body=ticket.description,
                     attachments=files_of.get(None, []))]
    for intervention in interventions:
        entries.append(Entry("message", intervention.created_at, author=intervention.author, body=intervention.body,
                             internal=intervention.internal, attachments=files_of.get(intervention.pk, []),
                             pk=intervention.pk, signature=intervention.signature,
                             minutes=intervention.minutes if with_minutes else None))
    events = Event.objects.filter(ticket=ticket).select_related("actor").order_by("at", "id")
    if not with_internal:
        events = events.exclude(kind__in=STAFF_ONLY_EVENTS)
    for event in events:
        entries.append(Entry("event", event.at, author=event.actor, event=event))
    entries.sort(key=lambda entry: (entry.at, _order_of(entry)))
    return entries


def time_spent(entries):
    """The minutes recorded on a request (int), from its history as `timeline` gave it: 0 for a user who does
    not see them (a client) or when nobody recorded any."""
    return sum(entry.minutes or 0 for entry in entries)


def _order_of(entry):
    if entry.event is not None and entry.event.kind == EventKind.CREATED:
        return _ORDER["created"]
    return _ORDER[entry.kind]


def attachment_for(user, ticket, attachment_id):
    """A file of a request the user sees, or None; internal comments' files only for those who see them."""
    return Attachment.objects.seen_by(user, ticket).filter(pk=attachment_id).select_related("intervention").first()


# --- People and topics around a request ------------------------------------------------------------


def topic_operators(topic_id):
    """The active operators (and administrators) of a topic, by name."""
    return list(get_user_model().objects.staff().filter(topics=topic_id).order_by("full_name", "pk"))


def assignable_operators(ticket):
    """Whom a request may be assigned to: the active operators of its topic."""
    return topic_operators(ticket.topic_id)


def possible_requesters():
    """Whom staff may file a request for: active people (usually clients who phoned or came in)."""
    return get_user_model().objects.filter(is_active=True).select_related("company")


def requesters_matching(text, limit=10):
    """Active people matching `text` by name, email, company or CUIT (with or without dashes), for staff
    filing on behalf of a client; clients first, at most `limit`."""
    if not (text or "").strip():
        return []
    clients_first = Case(When(role=Role.CLIENT, then=0), default=1)
    return list(search_users(q=text).filter(is_active=True).order_by(clients_first, "full_name", "pk")[:limit])


def topics_to_move_to(ticket):
    """Active topics other than the request's own."""
    return list(Topic.objects.filter(is_active=True).exclude(pk=ticket.topic_id).order_by("name"))


def active_topic(pk):
    """The active topic `pk`; raises Topic.DoesNotExist for any other."""
    return Topic.objects.get(pk=pk, is_active=True)


def active_topics():
    """The topics a new request may be filed under (topics.selectors.open_topics)."""
    return topics_selectors.open_topics()


# --- Colleagues in copy (issue 14) ------------------------------------------------------------------


def colleague_candidates(ticket):
    """Whom the request's requester or staff may put in copy: the confirmed members of the request's company
    (accounts.membership.confirmed_members) other than the requester and those already in copy, by name. None
    while the requester is not a confirmed member of that company themselves (a pending member must not learn
    who else belongs to it). A queryset."""
    if not membership.is_confirmed_member(ticket.requester, ticket.company):
        return None
    in_copy = Colleague.objects.filter(ticket_id=ticket.pk, removed_at__isnull=True).values("user_id")
    return membership.confirmed_members(ticket.company).exclude(pk=ticket.requester_id).exclude(pk__in=in_copy)


def colleagues_in_copy(ticket):
    """The people in copy on the request now (active accounts), by name, with who added them: one query, which
    also tells tickets.permissions.copied_ids who they are, so the page's predicates ask no more."""
    rows = list(Colleague.objects.filter(ticket_id=ticket.pk, removed_at__isnull=True)
                .select_related("user", "added_by").order_by("user__full_name", "user__email", "pk"))
    ticket._copied_ids = frozenset(row.user_id for row in rows)
    return [row for row in rows if row.user.is_active]
