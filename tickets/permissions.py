"""What a user may do with a request: small predicates shared by the templates and the services.

A button shown by a template and the POST a service accepts ask the same function, so they never
disagree. Each predicate answers for the request as it is now (its state included); services ask again
on the row they locked.
"""

from tickets import moves
from tickets.moves import Move


def operated_topic_ids(user):
    """The ids of the topics a user works, read once per user object (a request)."""
    cached = getattr(user, "_operated_topic_ids", None)
    if cached is None:
        if getattr(user, "is_authenticated", False) and user.is_operator:
            cached = frozenset(user.topics.values_list("pk", flat=True))
        else:
            cached = frozenset()
        user._operated_topic_ids = cached
    return cached


def _active(user):
    return getattr(user, "is_authenticated", False) and user.is_active


def works_on(user, ticket):
    """An operator of the request's topic, its assignee (if an operator) or an administrator."""
    if not _active(user) or not user.is_operator:
        return False
    return (
        user.is_administrator
        or ticket.assignee_id == user.pk
        or ticket.topic_id in operated_topic_ids(user)
    )


def copied_ids(ticket):
    """The ids of the people in copy on the request now, read once per request object (services lock a fresh
    one, and forget it after adding or removing someone)."""
    cached = getattr(ticket, "_copied_ids", None)
    if cached is None:
        from tickets.models import Colleague

        cached = frozenset(Colleague.objects.filter(ticket_id=ticket.pk, removed_at__isnull=True)
                           .values_list("user_id", flat=True))
        ticket._copied_ids = cached
    return cached


def is_colleague(user, ticket):
    """A colleague in copy (issue 14): an active client in copy on the request who is still a confirmed member
    of its company; the copy side of `Ticket.objects.visible_to`."""
    return bool(
        _active(user) and user.is_client and ticket.company_id is not None and user.company_id == ticket.company_id
        and user.company_confirmed and user.pk in copied_ids(ticket)
    )


def can_view(user, ticket):
    """The same rule as `Ticket.objects.visible_to(user)`, for a request already in hand."""
    return _active(user) and (ticket.requester_id == user.pk or works_on(user, ticket) or is_colleague(user, ticket))


def sees_internal(user, ticket):
    """Internal comments and their files: operators and administrators who see the request; never clients."""
    return can_view(user, ticket) and user.is_operator


def activity_field(user):
    """The Ticket column of the last activity `user` may see, for what their pages show and sort by: all of
    it (`last_activity_at`) for operators and administrators, who see internal comments; the public part
    (`public_activity_at`) for clients, so that an internal comment changes nothing they see (issue 20)."""
    return "last_activity_at" if getattr(user, "is_operator", False) else "public_activity_at"


def can_make(user, move, ticket):
    """Whether `user` may make `move` on the request now: who they are (the rule's predicate) and the
    request's state (tickets.moves.RULES)."""
    return is_allowed_to(user, move, ticket) and moves.allowed_in(move, ticket.state)


def is_allowed_to(user, move, ticket):
    """Whether `user` is someone who may make `move` on this request at all, whatever its state."""
    return _WHO[moves.RULES[move].who](user, ticket)


def can_reply(user, ticket):
    """A public intervention: the requester and whoever works on the request, in any state."""
    return can_make(user, Move.REPLY, ticket)


def can_comment_internally(user, ticket):
    return can_make(user, Move.COMMENT, ticket)


def can_take(user, ticket):
    return can_make(user, Move.TAKE, ticket)


def can_assign(user, ticket):
    return can_make(user, Move.ASSIGN, ticket)


def can_change_topic(user, ticket):
    return can_make(user, Move.CHANGE_TOPIC, ticket)


def can_close(user, ticket):
    return can_make(user, Move.CLOSE, ticket)


def can_reopen(user, ticket):
    return can_make(user, Move.REOPEN, ticket)


def may_be_assigned(person, ticket):
    """Whom a request may be given to: an active operator or administrator who works its topic."""
    return _active(person) and person.is_operator and ticket.topic_id in operated_topic_ids(person)


def may_hold(person, ticket):
    """Whether `person` may stay the assignee of an open request: someone who may be assigned it, or an
    administrator. An assignee who no longer may (deactivated, no longer staff, off the topic) is replaced
    (tickets.services.hand_off_stranded), so no open request waits on someone who cannot act on it."""
    return may_be_assigned(person, ticket) or (_active(person) and person.is_administrator)


def can_download(user, attachment, ticket):
    """A file of a request the user sees; an internal comment's file only for those who see internal ones."""
    if not can_view(user, ticket):
        return False
    return not attachment.internal or sees_internal(user, ticket)


def actions_for(user, ticket):
    """Every predicate for one user and request, for the templates."""
    return {
        "reply": can_reply(user, ticket),
        "comment_internally": can_comment_internally(user, ticket),
        "take": can_take(user, ticket),
        "assign": can_assign(user, ticket),
        "change_topic": can_change_topic(user, ticket),
        "close": can_close(user, ticket),
        "reopen": can_reopen(user, ticket),
        "resolve": can_resolve(user, ticket),
        "wait": can_wait(user, ticket),
        "set_priority": can_set_priority(user, ticket),
        "manage_colleagues": can_manage_colleagues(user, ticket),
        "works_on": works_on(user, ticket),
        "record_time": can_record_time(user, ticket),
        # What a public answer would do on the side (tickets.moves), for the reply box's note.
        "reply_reopens": can_reply(user, ticket) and moves.reply_reopens(ticket, user, internal=False),
        "reply_takes": can_reply(user, ticket) and moves.reply_takes(ticket, user, internal=False),
    }


def is_requester(user, ticket):
    """The person who filed the request (while active)."""
    return _active(user) and ticket.requester_id == user.pk


def can_resolve(user, ticket):
    """The requester closing their own request ("Ya está resuelto")."""
    return can_make(user, Move.RESOLVE, ticket)


def manages_copy(user, ticket):
    """Who adds and removes colleagues in copy: the requester and staff working the request (issue 14); not the
    colleagues themselves."""
    return is_requester(user, ticket) or works_on(user, ticket)


def can_manage_colleagues(user, ticket):
    return can_make(user, Move.ADD_COLLEAGUE, ticket)


def is_system(user, ticket):
    """Moves nobody makes by hand (the waiting clock): made with no user."""
    return user is None


def can_set_priority(user, ticket):
    return can_make(user, Move.SET_PRIORITY, ticket)


def can_record_time(user, ticket):
    """Minutes spent, recorded with a message (issue 15): whoever works on the request (its topic's operators,
    its assignee, administrators), never a client, in any state. Only they see the minutes."""
    return works_on(user, ticket)


def can_wait(user, ticket):
    """«Responder y esperar al cliente»: staff working an open request."""
    return can_make(user, Move.WAIT, ticket)


_WHO = {"can_view": can_view, "sees_internal": sees_internal, "works_on": works_on, "is_requester": is_requester,
        "manages_copy": manages_copy, "system": is_system}
