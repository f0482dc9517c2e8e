"""Reads of tickets. Every one starts from `Ticket.objects.visible_to(user)`."""

from tickets.models import Ticket


def recent_for(user, limit=25):
    """The latest requests a user may see, with what the list shows, in one query."""
    return list(
        Ticket.objects.visible_to(user)
        .select_related("topic", "requester", "company", "assignee")
        .order_by("-last_activity_at", "-number")[:limit]
    )
