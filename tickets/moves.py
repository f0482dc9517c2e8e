"""The moves of a request: from which states each one may be made, where it leaves the request, and
what it does on the side. The one table that permissions, services, views and templates read.

The states come from the brief (Nuevo → En proceso → Cerrado, DESIGN.md "States"). A move added later
(priority, waiting on the client…) gets a row here and a row in tickets.recipients, nothing else.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import State

ALL_STATES = frozenset(State.values)
OPEN_STATES = frozenset((State.NEW, State.IN_PROGRESS))


class Move(models.TextChoices):
    CREATE = "create", _("Cargar la solicitud")
    # Staff filing for someone who is not a user yet: the client is created with the request.
    CREATE_FOR_NEW_CLIENT = "create_for_new_client", _("Cargar la solicitud y crear el cliente")
    REPLY = "reply", _("Responder")
    COMMENT = "comment", _("Comentario interno")
    TAKE = "take", _("Tomar")
    ASSIGN = "assign", _("Asignar")
    CHANGE_TOPIC = "change_topic", _("Cambiar temática")
    CLOSE = "close", _("Cerrar")
    REOPEN = "reopen", _("Reabrir")
    RESOLVE = "resolve", _("Ya está resuelto")  # the requester closes their own request
    # "Responder y esperar al cliente": a public reply that leaves the next step to the client.
    WAIT = "wait", _("Responder y esperar al cliente")
    SET_PRIORITY = "set_priority", _("Cambiar prioridad")
    REMIND = "remind", _("Recordar al cliente")  # WAITING_REMINDER_DAYS without an answer (beat task)
    AUTO_CLOSE = "auto_close", _("Cerrar sin respuesta")  # WAITING_CLOSE_DAYS without an answer (beat task)
    # The assignee lost access to the request (deactivated, no longer an operator, off the topic).
    RELEASE = "release", _("Devolver a Nuevo")
    # The SLA clock (beat task, issue 15): 80 % of the active target passed, and the target passed.
    SLA_WARNING = "sla_warning", _("Avisar que el SLA está por vencer")
    SLA_BREACH = "sla_breach", _("Avisar que venció el SLA")
    # Colleagues in copy (issue 14): the requester or staff add or remove a confirmed member of the company.
    ADD_COLLEAGUE = "add_colleague", _("Agregar un colega en copia")
    REMOVE_COLLEAGUE = "remove_colleague", _("Quitar un colega de la copia")


class Actor(models.TextChoices):
    """Who makes a move, as far as the rules care: the request's own requester, or staff working it."""

    REQUESTER = "requester", _("Solicitante")
    COLLEAGUE = "colleague", _("Colega en copia")
    STAFF = "staff", _("Operador o administrador")
    SYSTEM = "system", _("Sysmo (automático)")


@dataclass(frozen=True)
class Rule:
    """`leaves_from`: the states the move may be made in; `goes_to`: the state after it (None: unchanged);
    `who`: the predicate of tickets.permissions the actor must pass; `refusal`: what a user is told when
    only the state forbids the move."""

    leaves_from: frozenset
    goes_to: str | None
    who: str
    refusal: str = ""


RULES = {
    Move.REPLY: Rule(ALL_STATES, None, "can_view"),
    Move.COMMENT: Rule(ALL_STATES, None, "sees_internal"),
    Move.TAKE: Rule(frozenset({State.NEW}), State.IN_PROGRESS, "works_on",
                    _("Solo se puede tomar una solicitud nueva.")),
    Move.ASSIGN: Rule(OPEN_STATES, State.IN_PROGRESS, "works_on", _("Una solicitud cerrada no se puede asignar.")),
    Move.CHANGE_TOPIC: Rule(OPEN_STATES, None, "works_on", _("Una solicitud cerrada no puede cambiar de temática.")),
    # Closing a Nuevo request takes it on the way: whoever closed it is who resolved it (reports).
    Move.CLOSE: Rule(OPEN_STATES, State.CLOSED, "works_on", _("La solicitud ya está cerrada.")),
    Move.REOPEN: Rule(frozenset({State.CLOSED}), State.IN_PROGRESS, "works_on",
                      _("Solo se puede reabrir una solicitud cerrada.")),
    Move.RESOLVE: Rule(OPEN_STATES, State.CLOSED, "is_requester", _("La solicitud ya está cerrada.")),
    Move.RELEASE: Rule(frozenset({State.IN_PROGRESS}), State.NEW, "works_on"),
    # A Nuevo request answered this way is taken first (reply_takes), so it too ends En proceso.
    Move.WAIT: Rule(OPEN_STATES, State.IN_PROGRESS, "works_on", _("Una solicitud cerrada no espera al cliente.")),
    Move.SET_PRIORITY: Rule(OPEN_STATES, None, "works_on", _("Una solicitud cerrada no cambia de prioridad.")),
    Move.REMIND: Rule(frozenset({State.IN_PROGRESS}), None, "system"),
    Move.AUTO_CLOSE: Rule(frozenset({State.IN_PROGRESS}), State.CLOSED, "system"),
    Move.SLA_WARNING: Rule(OPEN_STATES, None, "system"),
    Move.SLA_BREACH: Rule(OPEN_STATES, None, "system"),
    Move.ADD_COLLEAGUE: Rule(ALL_STATES, None, "manages_copy"),
    Move.REMOVE_COLLEAGUE: Rule(ALL_STATES, None, "manages_copy"),
}


def allowed_in(move, state):
    """Whether `move` may be made on a request in `state` (whoever asks)."""
    return state in RULES[move].leaves_from


def refusal(move):
    """What the user is told when the request's state forbids `move`."""
    return str(RULES[move].refusal)


def actor_of(ticket, by):
    """The requester of this request (whatever their role), or staff working on it."""
    return Actor.REQUESTER if by.pk == ticket.requester_id else Actor.STAFF


def reply_reopens(ticket, by, *, internal):
    """The client writing publicly on a closed request reopens it (the brief): its requester, or a colleague in
    copy (issue 14)."""
    from tickets.permissions import is_colleague

    return (not internal and ticket.state == State.CLOSED
            and (by.pk == ticket.requester_id or is_colleague(by, ticket)))


def reply_takes(ticket, by, *, internal):
    """Staff answering a Nuevo request publicly take it, so it does not stay unowned (issue 11, kind 6)."""
    return (not internal and ticket.state == State.NEW and not ticket.assignee_id
            and by.pk != ticket.requester_id and by.is_operator)


def answers_first(ticket, by, *, internal):
    """The first public message of staff on the request: its first response (issue 15, reports and SLA).
    The requester's own messages never count, whatever their role."""
    return (not internal and ticket.first_response_at is None and by.pk != ticket.requester_id
            and by.is_operator)


def close_takes(ticket):
    """Closing a Nuevo (unassigned) request makes the closer its assignee."""
    return ticket.state == State.NEW and not ticket.assignee_id


def reply_clears_waiting(ticket, by, *, internal):
    """The client's next message ends «Esperando al cliente»; so does any public answer by staff that does
    not ask to wait again (an internal comment changes nothing)."""
    return not internal and ticket.waiting_since is not None


def waiting_due(ticket, now, *, reminder_days, close_days):
    """What the waiting clock asks for now: "close", "remind" or None. Days are calendar days (timedelta),
    counted from the answer that started the wait."""
    from datetime import timedelta

    if not ticket.is_waiting or ticket.state != State.IN_PROGRESS:
        return None
    if now - ticket.waiting_since >= timedelta(days=close_days):
        return "close"
    if ticket.waiting_reminded_at is None and now - ticket.waiting_since >= timedelta(days=reminder_days):
        return "remind"
    return None


@dataclass(frozen=True)
class Outcome:
    """What a move did, so no view or template works it out again."""

    ticket: object
    intervention: object = None
    reopened: bool = False  # a requester's message reopened a closed request
    taken: bool = False  # the move made its actor the assignee (a reply or a close on a Nuevo request)
    waiting: bool = False  # the request now waits on the client («Responder y esperar al cliente»)
    recipients: tuple = ()  # who was emailed
