"""The emails of a request's life. Called by tickets.services inside their transaction, with the people
tickets.recipients chose: the outbox writes each message with the change that caused it. One message per
recipient, in their language.

Every one of them can be answered (mail.replies): its Reply-To is signed for that request and that person
(and says whether the notice was internal, so an answer to it stays internal), and In-Reply-To/References
name the request's thread, so a mail app shows all of a request's emails together."""

from mail import replies
from mail.outbox import absolute_url, send_templated
from tickets import permissions
from tickets.moves import Move


def send(told, ticket, *, move, by, **context):
    """Queue one email per (person, template prefix) in `told`, about `move` made by `by` on `ticket`.

    `context` carries what the templates show besides the request: intervention, attachments, message,
    reopened, moved_from, colleague. `change` (the move's value) lets ticket_changed say what happened.
    `for_requester` is the client side (the requester, or a colleague in copy: `in_copy`).
    """
    shared = {"ticket": ticket, "ticket_url": absolute_url("tickets:detail", ticket.number), "by": by,
              "change": str(move), "reply_by_email": True, **context}
    internal = move == Move.COMMENT
    headers = replies.thread_headers(ticket.number)
    for person, template in told:
        in_copy = person.pk != ticket.requester_id and permissions.is_colleague(person, ticket)
        send_templated(person, template,
                       {**shared, "for_requester": person.pk == ticket.requester_id or in_copy, "in_copy": in_copy},
                       headers=headers, reply_to=[replies.reply_address(ticket.number, person.pk, internal)])
