"""Who hears about what: for every move and kind of actor, who is emailed and with which message.

One table (`TABLE`) answers it; services ask `notices()` after a move, and the request page's
"Se envía por correo a" preview asks `preview()`, so the two never disagree. Whoever the table names is
read fresh and must pass the same predicate the request page uses (tickets.permissions.can_view, and
sees_internal for internal content): a person deactivated, demoted or taken off the topic is never sent
a request's text. When a client's message would reach nobody who can act on it, the topic's operators
are told, else the administrators (issue 11: a request in a topic nobody works is not lost).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from accounts.models import Role
from tickets import permissions
from tickets.models import Intervention
from tickets.moves import Actor, Move
from topics.models import Topic


class Audience:
    REQUESTER = "requester"
    ASSIGNEE = "assignee"
    FORMER_ASSIGNEE = "former_assignee"  # whoever held it before an assignment or a release
    TOPIC_OPERATORS = "topic_operators"  # the active operators of the request's (new) topic
    UNASSIGNED_TOPIC_OPERATORS = "unassigned_topic_operators"  # the same, only while nobody is assigned
    INVOLVED_STAFF = "involved_staff"  # staff who have written on the request
    COLLEAGUES = "colleagues"  # the colleagues in copy now (issue 14): the client side, like the requester
    ADDED_COLLEAGUE = "added_colleague"  # the colleague just put in copy


@dataclass(frozen=True)
class Told:
    """One line of the table: an audience and the email it gets (a prefix under templates/email/)."""

    audience: str
    template: str
    actor_too: bool = False  # the actor hears too (the requester's own receipt)


@dataclass(frozen=True)
class Line:
    told: tuple
    internal: bool = False  # the email carries internal content: only people who see internal comments
    someone_must_act: bool = False  # when nobody who can act is told: the topic's operators, else administrators


# (move, actor) → who is told. A move made by an actor it has no line for tells nobody.
TABLE = {
    (Move.CREATE, Actor.REQUESTER): Line(
        (Told(Audience.REQUESTER, "ticket_received", actor_too=True), Told(Audience.TOPIC_OPERATORS, "ticket_new")),
        someone_must_act=True),
    # Staff filing on behalf of a client (by phone, WhatsApp, at the counter): the client gets the receipt.
    (Move.CREATE, Actor.STAFF): Line(
        (Told(Audience.REQUESTER, "ticket_received"), Told(Audience.TOPIC_OPERATORS, "ticket_new")),
        someone_must_act=True),
    # The same for a client created on the spot; besides the receipt, accounts.services.send_invitation
    # emails them the link to choose a password (tickets.services.create_for_new_client sends both).
    (Move.CREATE_FOR_NEW_CLIENT, Actor.STAFF): Line(
        (Told(Audience.REQUESTER, "ticket_received"), Told(Audience.TOPIC_OPERATORS, "ticket_new")),
        someone_must_act=True),
    (Move.REPLY, Actor.REQUESTER): Line(
        (Told(Audience.ASSIGNEE, "ticket_reply"), Told(Audience.UNASSIGNED_TOPIC_OPERATORS, "ticket_reply"),
         Told(Audience.COLLEAGUES, "ticket_reply")),
        someone_must_act=True),
    # A colleague in copy writes: support, the requester and the other colleagues hear it, as in an email's Cc.
    (Move.REPLY, Actor.COLLEAGUE): Line(
        (Told(Audience.ASSIGNEE, "ticket_reply"), Told(Audience.UNASSIGNED_TOPIC_OPERATORS, "ticket_reply"),
         Told(Audience.REQUESTER, "ticket_reply"), Told(Audience.COLLEAGUES, "ticket_reply")),
        someone_must_act=True),
    (Move.REPLY, Actor.STAFF): Line(
        (Told(Audience.REQUESTER, "ticket_reply"), Told(Audience.COLLEAGUES, "ticket_reply"),
         Told(Audience.ASSIGNEE, "ticket_reply"))),
    (Move.COMMENT, Actor.STAFF): Line(
        (Told(Audience.ASSIGNEE, "ticket_internal"), Told(Audience.INVOLVED_STAFF, "ticket_internal")), internal=True),
    # Taking tells nobody: the taker is the new assignee, and the requester hears with the first answer.
    (Move.TAKE, Actor.STAFF): Line(()),
    (Move.ASSIGN, Actor.STAFF): Line(
        (Told(Audience.ASSIGNEE, "ticket_assigned"), Told(Audience.FORMER_ASSIGNEE, "ticket_changed"))),
    (Move.CHANGE_TOPIC, Actor.STAFF): Line(
        (Told(Audience.TOPIC_OPERATORS, "ticket_new"), Told(Audience.ASSIGNEE, "ticket_changed")),
        someone_must_act=True),
    (Move.CLOSE, Actor.STAFF): Line(
        (Told(Audience.REQUESTER, "ticket_closed"), Told(Audience.COLLEAGUES, "ticket_closed"),
         Told(Audience.ASSIGNEE, "ticket_changed"))),
    (Move.REOPEN, Actor.STAFF): Line(
        (Told(Audience.REQUESTER, "ticket_changed"), Told(Audience.COLLEAGUES, "ticket_changed"),
         Told(Audience.ASSIGNEE, "ticket_changed"))),
    (Move.RESOLVE, Actor.REQUESTER): Line(
        (Told(Audience.ASSIGNEE, "ticket_changed"), Told(Audience.UNASSIGNED_TOPIC_OPERATORS, "ticket_changed"),
         Told(Audience.COLLEAGUES, "ticket_changed"))),
    (Move.WAIT, Actor.STAFF): Line(
        (Told(Audience.REQUESTER, "ticket_reply"), Told(Audience.COLLEAGUES, "ticket_reply"),
         Told(Audience.ASSIGNEE, "ticket_reply"))),
    # A new priority matters to whoever holds the request; the client is not told (it is the desk's order).
    (Move.SET_PRIORITY, Actor.STAFF): Line((Told(Audience.ASSIGNEE, "ticket_changed"),)),
    (Move.REMIND, Actor.SYSTEM): Line(
        (Told(Audience.REQUESTER, "ticket_reminder"), Told(Audience.COLLEAGUES, "ticket_reminder"))),
    (Move.AUTO_CLOSE, Actor.SYSTEM): Line(
        (Told(Audience.REQUESTER, "ticket_changed"), Told(Audience.COLLEAGUES, "ticket_changed"),
         Told(Audience.ASSIGNEE, "ticket_changed"))),
    # The SLA clock tells whoever must act: the assignee, or while nobody holds it the topic's operators
    # (else the administrators). Never the client.
    (Move.SLA_WARNING, Actor.SYSTEM): Line(
        (Told(Audience.ASSIGNEE, "ticket_sla"), Told(Audience.UNASSIGNED_TOPIC_OPERATORS, "ticket_sla")),
        someone_must_act=True),
    (Move.SLA_BREACH, Actor.SYSTEM): Line(
        (Told(Audience.ASSIGNEE, "ticket_sla"), Told(Audience.UNASSIGNED_TOPIC_OPERATORS, "ticket_sla")),
        someone_must_act=True),
    (Move.RELEASE, Actor.STAFF): Line(
        (Told(Audience.TOPIC_OPERATORS, "ticket_changed"),), someone_must_act=True),
    # Colleagues in copy (issue 14): the one added gets the link; when staff add or remove someone, the
    # requester is told who now sees their request. A removed colleague is told nothing (they no longer see it).
    (Move.ADD_COLLEAGUE, Actor.REQUESTER): Line((Told(Audience.ADDED_COLLEAGUE, "ticket_copied"),)),
    (Move.ADD_COLLEAGUE, Actor.STAFF): Line(
        (Told(Audience.ADDED_COLLEAGUE, "ticket_copied"), Told(Audience.REQUESTER, "ticket_changed"))),
    (Move.REMOVE_COLLEAGUE, Actor.REQUESTER): Line(()),
    (Move.REMOVE_COLLEAGUE, Actor.STAFF): Line((Told(Audience.REQUESTER, "ticket_changed"),)),
}


def actor_of(move, ticket, by):
    """The requester of the request, when filing, writing publicly on it or choosing who is in copy; a
    colleague in copy writing on it; the system for the moves nobody makes by hand (`by` is None); staff for
    everything else."""
    if by is None:
        return Actor.SYSTEM
    if (move in (Move.CREATE, Move.REPLY, Move.RESOLVE, Move.ADD_COLLEAGUE, Move.REMOVE_COLLEAGUE)
            and by.pk == ticket.requester_id):
        return Actor.REQUESTER
    if move == Move.REPLY and permissions.is_colleague(by, ticket):
        return Actor.COLLEAGUE
    return Actor.STAFF


def notices(move, ticket, by, *, former_assignee=None, colleague=None):
    """[(person, template prefix)] for `move` just made by `by` on `ticket` (read after the move).

    Each person once, in the table's order; never the actor (except their own receipt); never anyone who
    may not see the request now (or its internal comments, for internal content).
    """
    line = TABLE.get((move, actor_of(move, ticket, by)))
    if line is None:
        return []
    chosen, seen = [], set()
    for told in line.told:
        for person in _audience(told.audience, ticket, former_assignee, colleague):
            if person.pk in seen or (by is not None and person.pk == by.pk and not told.actor_too):
                continue
            seen.add(person.pk)
            chosen.append((person, told.template))
    _prime_topics([person for person, _template in chosen], ticket)
    may_read = permissions.sees_internal if line.internal else permissions.can_view
    chosen = [(person, template) for person, template in chosen if may_read(person, ticket)]
    if line.someone_must_act and not any(permissions.works_on(person, ticket) for person, _t in chosen):
        chosen += [(person, _staff_template(line)) for person in _who_can_act_instead(ticket, by, seen)]
    return chosen


def preview(ticket, by, *, internal=False):
    """The people a message `by` writes now would be emailed to: the "Se envía por correo a" line."""
    move = Move.COMMENT if internal else Move.REPLY
    return [person for person, _template in notices(move, ticket, by)]


def _staff_template(line):
    client_side = (Audience.REQUESTER, Audience.COLLEAGUES, Audience.ADDED_COLLEAGUE)
    return next((told.template for told in line.told if told.audience not in client_side), "ticket_changed")


def _who_can_act_instead(ticket, by, already):
    """The topic's active operators, else the active administrators: someone who can act is told."""
    for people in (_topic_operators(ticket.topic_id), _administrators()):
        people = [person for person in people if (by is None or person.pk != by.pk) and person.pk not in already]
        _prime_topics(people, ticket)
        people = [person for person in people if permissions.works_on(person, ticket)]
        if people:
            return people
    return []


def _audience(audience, ticket, former_assignee, colleague=None):
    if audience == Audience.REQUESTER:
        return [ticket.requester]
    if audience == Audience.ASSIGNEE:
        return [ticket.assignee] if ticket.assignee_id else []
    if audience == Audience.FORMER_ASSIGNEE:
        return [former_assignee] if former_assignee is not None else []
    if audience == Audience.TOPIC_OPERATORS:
        return _topic_operators(ticket.topic_id)
    if audience == Audience.UNASSIGNED_TOPIC_OPERATORS:
        return [] if ticket.assignee_id else _topic_operators(ticket.topic_id)
    if audience == Audience.COLLEAGUES:
        return list(get_user_model().objects.filter(pk__in=sorted(permissions.copied_ids(ticket)))
                    .order_by("full_name", "pk"))
    if audience == Audience.ADDED_COLLEAGUE:
        return [colleague] if colleague is not None else []
    if audience == Audience.INVOLVED_STAFF:
        authors = Intervention.objects.filter(ticket=ticket).values("author_id")
        return list(get_user_model().objects.staff().filter(pk__in=authors).order_by("full_name", "pk"))
    raise ValueError(audience)


def _topic_operators(topic_id):
    return list(get_user_model().objects.staff().filter(topics=topic_id).order_by("full_name", "pk"))


def _administrators():
    return list(get_user_model().objects.staff().filter(role=Role.ADMIN).order_by("full_name", "pk"))


def _prime_topics(people, ticket):
    """Read the topics of many people in one query, for the predicates (tickets.permissions); only of those
    whose answer depends on them (not the requester, the assignee or an administrator)."""
    missing = [
        person for person in people
        if getattr(person, "_operated_topic_ids", None) is None and person.is_operator
        and not person.is_administrator and person.pk not in (ticket.requester_id, ticket.assignee_id)
    ]
    if not missing:
        return
    topics_of = {person.pk: set() for person in missing}
    rows = Topic.operators.through.objects.filter(user_id__in=list(topics_of)).values_list("user_id", "topic_id")
    for user_id, topic_id in rows:
        topics_of[user_id].add(topic_id)
    for person in missing:
        person._operated_topic_ids = frozenset(topics_of[person.pk]) if person.is_operator else frozenset()
