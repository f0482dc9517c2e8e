"""The emails of a request's life. Called by tickets.services inside their transaction: the outbox
writes each message with the change that caused it. One message per recipient, in their language."""

from accounts.outbox import absolute_url, send_templated


def _context(ticket, **extra):
    return {"ticket": ticket, "ticket_url": absolute_url("tickets:detail", ticket.number), **extra}


def _send(people, prefix, context):
    for person in people:
        send_templated(person, prefix, context)


def request_filed(ticket, attachments, operators):
    """The requester's receipt, and each operator of the topic told of the new request."""
    context = _context(ticket, attachments=attachments)
    if ticket.requester.is_active:
        send_templated(ticket.requester, "ticket_received", context)
    _send([person for person in operators if person.pk != ticket.requester_id], "ticket_new", context)


def new_message(ticket, intervention, attachments, recipients, reopened=False):
    """A public reply or an internal comment, to the people `selectors.reply_recipients` chose."""
    prefix = "ticket_internal" if intervention.internal else "ticket_reply"
    _send(recipients, prefix, _context(ticket, intervention=intervention, attachments=attachments, reopened=reopened))


def assigned(ticket, by):
    """The new assignee, unless they assigned it to themselves."""
    if ticket.assignee_id != by.pk and ticket.assignee.is_active:
        send_templated(ticket.assignee, "ticket_assigned", _context(ticket, by=by))


def moved(ticket, by, old_topic, operators):
    """The operators of the new topic, told that a request arrived from another one."""
    context = _context(ticket, moved_from=old_topic, by=by)
    _send([person for person in operators if person.pk not in (by.pk, ticket.requester_id)], "ticket_new", context)


def closed(ticket, by, message):
    """The requester, with the closing message if there was one."""
    if ticket.requester_id != by.pk and ticket.requester.is_active:
        send_templated(ticket.requester, "ticket_closed", _context(ticket, by=by, message=message))
