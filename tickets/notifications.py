"""The emails of a request's life. Called by tickets.services inside their transaction, with the people
tickets.recipients chose: the outbox writes each message with the change that caused it. One message per
recipient, in their language."""

from mail.outbox import absolute_url, send_templated


def send(told, ticket, *, move, by, **context):
    """Queue one email per (person, template prefix) in `told`, about `move` made by `by` on `ticket`.

    `context` carries what the templates show besides the request: intervention, attachments, message,
    reopened, moved_from. `change` (the move's value) lets ticket_changed say what happened.
    """
    shared = {"ticket": ticket, "ticket_url": absolute_url("tickets:detail", ticket.number), "by": by,
              "change": str(move), **context}
    for person, template in told:
        send_templated(person, template, {**shared, "for_requester": person.pk == ticket.requester_id})
