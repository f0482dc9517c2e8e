"""The emails of a request's life. Called by tickets.services inside their transaction, with the people
tickets.recipients chose: the outbox writes each message with the change that caused it. One message per
recipient, in their language.

Every one of them can be answered (mail.replies): its Reply-To is signed for that request and that person
(and says whether the notice was internal, so an answer to it stays internal), and In-Reply-To/References
name the request's thread, so a mail app shows all of a request's emails together.

Below the new message each email shows the request's last few public messages for context
(`earlier_messages`, issue 12): read once per move, whoever the recipients are, and never an internal
comment, whoever reads it (a staff notice of an internal comment shows that comment as its new message,
and the public ones before it).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.text import Truncator

from mail import replies
from mail.outbox import absolute_url, send_all, templated
from tickets import permissions
from tickets.models import Intervention
from tickets.moves import Move

EARLIER_MESSAGES = 3
EARLIER_MAX_CHARACTERS = 300  # each one shortened to this in the email; the whole text is on the request page
# A new request's receipt and notice show its description as the new message: nothing came before it.
WITHOUT_CONTEXT = {Move.CREATE, Move.CREATE_FOR_NEW_CLIENT}


@dataclass(frozen=True)
class Earlier:
    """A public message of the request shown for context: who wrote it, when, and its text."""

    author: str
    at: datetime
    body: str


def send(told, ticket, *, move, by, **context):
    """Queue one email per (person, template prefix) in `told`, about `move` made by `by` on `ticket`; all
    of them in one INSERT into the outbox.

    `context` carries what the templates show besides the request: intervention, attachments, message,
    reopened, moved_from, colleague. `change` (the move's value) lets ticket_changed say what happened.
    `for_requester` is the client side (the requester, or a colleague in copy: `in_copy`).
    """
    if not told:
        return
    new = context.get("intervention")
    at_hand = [by, *(person for person, _template in told)]
    earlier = [] if move in WITHOUT_CONTEXT else earlier_messages(ticket, excluding=new, people=at_hand)
    shared = {"ticket": ticket, "ticket_url": absolute_url("tickets:detail", ticket.number), "by": by,
              "change": str(move), "reply_by_email": True, "earlier_messages": earlier, **context}
    internal = move == Move.COMMENT
    headers = replies.thread_headers(ticket.number)
    messages = []
    for person, template in told:
        in_copy = person.pk != ticket.requester_id and permissions.is_colleague(person, ticket)
        messages.append(templated(
            person, template,
            {**shared, "for_requester": person.pk == ticket.requester_id or in_copy, "in_copy": in_copy},
            headers=headers, reply_to=[replies.reply_address(ticket.number, person.pk, internal)]))
    send_all(messages)


def earlier_messages(ticket, *, excluding=None, people=(), count=EARLIER_MESSAGES):
    """The last `count` public messages of `ticket` before now, newest first, as [Earlier]: its public
    interventions (never an internal comment) other than `excluding` (the one the email is about), and its
    description (the first message, by the requester) while fewer than `count` came after it.

    One query, plus one for the requester's name when the description is shown and the requester is
    neither among `people` (users already read: the actor, the recipients) nor read with the request.
    """
    user = get_user_model()
    # Written out: it runs with every notice, and composing it with the ORM cost more CPU than running it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.full_name, u.email, i.created_at, i.body FROM {Intervention._meta.db_table} i "  # noqa: S608
            f"JOIN {user._meta.db_table} u ON u.id = i.author_id "
            "WHERE i.ticket_id = %s AND i.internal = %s AND i.id <> %s ORDER BY i.created_at DESC, i.id DESC LIMIT %s",
            [ticket.pk, False, excluding.pk if excluding is not None else 0, count],
        )
        rows = cursor.fetchall()
    created_at = Intervention._meta.get_field("created_at")
    # Unsaved users, for their display_name; dates converted as the ORM would (SQLite returns text).
    shown = [(user(full_name=name, email=email), _datetime(created_at, at), body) for name, email, at, body in rows]
    if len(shown) < count and ticket.description.strip():
        requester = next((person for person in people if person is not None and person.pk == ticket.requester_id),
                         None) or ticket.requester
        shown.append((requester, ticket.created_at, ticket.description))
    return [Earlier(author.display_name, at, Truncator(body.strip()).chars(EARLIER_MAX_CHARACTERS))
            for author, at, body in shown]


def _datetime(field, value):
    for converter in connection.ops.get_db_converters(field.get_col(field.model._meta.db_table)):
        value = converter(value, field, connection)
    return value
