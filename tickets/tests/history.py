"""Checks shared by the tests of the demo data and of the generator."""

from collections import defaultdict

from accounts.models import Role
from tickets.models import Attachment, Event, EventKind, Intervention, State
from topics.models import Topic

STATE_AFTER_EVENT = {
    EventKind.CREATED: State.NEW, EventKind.TAKEN: State.IN_PROGRESS, EventKind.ASSIGNED: State.IN_PROGRESS,
    EventKind.REOPENED: State.IN_PROGRESS, EventKind.CLOSED: State.CLOSED, EventKind.RELEASED: State.NEW,
    EventKind.WAITING: State.IN_PROGRESS, EventKind.REMINDED: State.IN_PROGRESS, EventKind.AUTO_CLOSED: State.CLOSED,
}


def assert_consistent_history(tickets):
    """Every request's fields agree with its state, its topic's operators, its interventions and events."""
    operators_of = set(Topic.operators.through.objects.values_list("topic_id", "user_id"))
    interventions, events = defaultdict(list), defaultdict(list)
    for intervention in Intervention.objects.filter(ticket__in=tickets).select_related("author"):
        interventions[intervention.ticket_id].append(intervention)
    for event in Event.objects.filter(ticket__in=tickets).order_by("at", "id"):
        events[event.ticket_id].append(event)

    for ticket in tickets.select_related("requester"):
        history = events[ticket.number]
        assert ticket.company_id == ticket.requester.company_id
        assert (history[0].kind, history[0].at) == (EventKind.CREATED, ticket.created_at)
        last = history[-1]
        # Reopening goes back to Nuevo when the assignee can no longer act on the request: the event says which.
        assert (last.after if last.kind == EventKind.REOPENED else STATE_AFTER_EVENT[last.kind]) == ticket.state
        if ticket.state == State.NEW:
            assert (ticket.assignee_id, ticket.taken_at, ticket.closed_at, ticket.closed_by_id) == (None,) * 4
        else:
            assert (ticket.topic_id, ticket.assignee_id) in operators_of
            assert ticket.taken_at >= ticket.created_at
        if ticket.state == State.IN_PROGRESS:
            assert ticket.closed_at is None
        if ticket.state == State.CLOSED:
            assert ticket.closed_at >= ticket.taken_at
            assert ticket.closed_at == history[-1].at
            assert ticket.closed_by_id is not None or last.kind == EventKind.AUTO_CLOSED
        moments = [event.at for event in history] + [message.created_at for message in interventions[ticket.number]]
        assert min(moments) >= ticket.created_at
        assert ticket.last_activity_at == max(moments)
        # What a client sees: everything but internal comments.
        seen = [event.at for event in history] + [m.created_at for m in interventions[ticket.number] if not m.internal]
        assert ticket.public_activity_at == max(seen)
        assert all(message.author.role != Role.CLIENT for message in interventions[ticket.number] if message.internal)


def stored_attachment_names():
    """seed_demo stores real files: note their names while the database can still be read."""
    return list(Attachment.objects.values_list("file", flat=True))


def delete_attachment_files(names):
    """Remove those files from private storage, even if the test broke its transaction."""
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)
