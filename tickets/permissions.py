"""What a user may do with a request: small predicates shared by the templates and the services.

A button shown by a template and the POST a service accepts ask the same function, so they never
disagree. Each predicate answers for the request as it is now (its state included); services ask again
on the row they locked.
"""

from tickets.models import State


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


def can_view(user, ticket):
    """The same rule as `Ticket.objects.visible_to(user)`, for a request already in hand."""
    return _active(user) and (ticket.requester_id == user.pk or works_on(user, ticket))


def sees_internal(user, ticket):
    """Internal comments and their files: operators and administrators who see the request; never clients."""
    return can_view(user, ticket) and user.is_operator


def can_reply(user, ticket):
    """A public intervention: the requester and whoever works on the request, in any state."""
    return can_view(user, ticket)


def can_comment_internally(user, ticket):
    return sees_internal(user, ticket)


def can_take(user, ticket):
    return works_on(user, ticket) and ticket.state == State.NEW


def can_assign(user, ticket):
    return works_on(user, ticket) and ticket.state != State.CLOSED


def can_change_topic(user, ticket):
    return works_on(user, ticket) and ticket.state != State.CLOSED


def can_close(user, ticket):
    return works_on(user, ticket) and ticket.state == State.IN_PROGRESS


def can_reopen(user, ticket):
    return works_on(user, ticket) and ticket.state == State.CLOSED


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
        "works_on": works_on(user, ticket),
    }
