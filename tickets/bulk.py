"""Bulk actions in the trays (issue 14, item 2): one move on several requests at once.

Each request goes through the same one-by-one service of tickets.services (permission check on the locked
row, Event, counts, emails), each in its own transaction, so a refusal on one does not undo the others.
What comes back says which were done and, for the rest, why not: the service's own Refused message, or
«No existe o no la podés ver.» for a number the person may not see (the same words whether it exists or not,
so numbers leak nothing).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets import services
from tickets.models import Ticket

MAX_AT_ONCE = 100


class Action(TextChoices):
    """The moves that may be made on several requests at once; the value is what the trays' form sends."""

    TAKE = "tomar", gettext_lazy("Tomar")
    ASSIGN = "asignar", gettext_lazy("Asignar")
    CHANGE_TOPIC = "tematica", gettext_lazy("Cambiar la temática")
    SET_PRIORITY = "prioridad", gettext_lazy("Cambiar la prioridad")
    CLOSE = "cerrar", gettext_lazy("Cerrar")


class TooMany(services.Refused):
    """More requests than MAX_AT_ONCE: nothing was done."""


@dataclass(frozen=True)
class BulkResult:
    """`done`: the numbers the move was made on; `refused`: (number, reason) of the others, in the order sent."""

    action: str
    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)


def _moves(by, params):
    return {
        Action.TAKE: lambda ticket: services.take(ticket, by=by),
        Action.ASSIGN: lambda ticket: services.assign(ticket, by=by, assignee=params["assignee"]),
        Action.CHANGE_TOPIC: lambda ticket: services.change_topic(ticket, by=by, topic=params["topic"]),
        Action.SET_PRIORITY: lambda ticket: services.set_priority(ticket, by=by, priority=params["priority"]),
        Action.CLOSE: lambda ticket: services.close(ticket, by=by, message=params.get("message", "")),
    }


def apply_to_many(numbers, *, by, action, **params):
    """Make `action` (an Action) on each request of `numbers` (ints, duplicates ignored) as `by`; returns the
    BulkResult.

    `params`: `assignee` (a user) for ASSIGN, `topic` (a Topic) for CHANGE_TOPIC, `priority` (a Priority) for
    SET_PRIORITY, `message` (str, may be empty) for CLOSE. The requests are read through
    `Ticket.objects.visible_to(by)`; each move is the one-by-one service, which asks the permission again on
    the row it locks, so a request changed by someone else since the page was loaded is answered as it is now.
    Raises TooMany (nothing done) for more than MAX_AT_ONCE numbers.
    """
    numbers = list(dict.fromkeys(numbers))
    if len(numbers) > MAX_AT_ONCE:
        raise TooMany(_("Elegiste %(count)d solicitudes: se pueden cambiar hasta %(max)d de una vez.")
                      % {"count": len(numbers), "max": MAX_AT_ONCE})
    move = _moves(by, params)[Action(action)]
    found = Ticket.objects.visible_to(by).in_bulk(numbers, field_name="number")
    done, refused = [], []
    for number in numbers:
        ticket = found.get(number)
        if ticket is None:
            refused.append((number, _("No existe o no la podés ver.")))
            continue
        try:
            with transaction.atomic():
                move(ticket)
        except services.NotFound:
            # Visible (their own request, say) but not theirs to work: one by one this would be a 404.
            refused.append((number, _("No atendés su temática.")))
        except services.Refused as refusal:
            refused.append((number, str(refusal)))
        else:
            done.append(number)
    return BulkResult(action=Action(action), done=done, refused=refused)
