"""Every change to a request: create, reply, comment internally, take, assign, change topic, close, reopen.

Each function checks permission (tickets.permissions) on the row it locked, changes the request, writes
the Event, moves `last_activity_at`, keeps the tab counts (tickets.tray_counts) and the search index
(tickets.search) exact and queues the emails (tickets.notifications), all in one transaction.
Views, admin actions and commands call these; nothing else writes tickets.
"""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import notifications, permissions, search, selectors, tray_counts
from tickets.models import Attachment, Event, EventKind, Intervention, State, Ticket
from tickets.tray_counts import Place, place_of


class Refused(Exception):
    """A move the user may not make now (the request's state forbids it); the message says why."""


class AlreadyTaken(Refused):
    """Someone else took the request first."""

    def __init__(self, assignee):
        self.assignee = assignee
        name = assignee.full_name or assignee.email if assignee else _("otra persona")
        super().__init__(_("%(name)s ya tomó esta solicitud.") % {"name": name})


class NotFound(Exception):
    """The user may not see the request, or may not act on it at all: answered like one that does not exist."""


# --- Shared steps --------------------------------------------------------------------------------


def _locked(ticket):
    """The request's row, locked until the transaction ends (PostgreSQL; SQLite has one writer anyway).

    No joins: after waiting for another writer PostgreSQL re-reads the locked row but not the joined ones,
    so related people and topics are read afterwards, from the committed state.
    """
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _require(allowed, by, ticket, message, staff_only=True):
    """NotFound if `by` may not act on the request at all, Refused with `message` if only its state forbids."""
    if allowed:
        return
    if not permissions.can_view(by, ticket) or (staff_only and not permissions.works_on(by, ticket)):
        raise NotFound
    raise Refused(message)


def _event(ticket, by, kind, at, before="", after=""):
    return Event.objects.create(ticket=ticket, actor=by, kind=kind, before=before, after=after, at=at)


def _touch(ticket, at, **fields):
    """Save the changed fields and the last activity, on the locked row."""
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.last_activity_at = at
    ticket.save(update_fields=[*fields, "last_activity_at"])


def _recount(before, ticket):
    """The request moved from `before` to where it is now: the tab counts follow."""
    tray_counts.moved(before, place_of(ticket))


def _name(user):
    return user.full_name or user.email


@contextmanager
def _storing_files():
    """Files written to storage by a change that then fails are deleted: nothing half-written stays."""
    stored = []
    try:
        yield stored
    except BaseException:
        for file in stored:
            file.storage.delete(file.name)
        raise


def _attach(stored, ticket, intervention, by, files, pending, at):
    """New uploads and files kept from a form that came back with an error, under one message."""
    attachments = []
    for checked in files:
        attachment = Attachment(
            ticket=ticket, intervention=intervention, original_name=checked.name, size=checked.size,
            content_type=checked.content_type, uploaded_by=by, created_at=at,
        )
        checked.upload.seek(0)
        attachment.file.save(checked.name, checked.upload, save=False)
        stored.append(attachment.file)
        attachment.save()
        attachments.append(attachment)
    for kept in pending:
        if kept.owner_id != by.pk:
            raise NotFound
        attachments.append(Attachment.objects.create(
            ticket=ticket, intervention=intervention, file=kept.file.name, original_name=kept.original_name,
            size=kept.size, content_type=kept.content_type, uploaded_by=by, created_at=at,
        ))
        kept.delete()  # the row only: the file now belongs to the attachment
    return attachments


# --- Create --------------------------------------------------------------------------------------


def create(*, by, topic, subject, description, files=(), pending=(), submission_key=None):
    """File a request; (ticket, created). The same form sent twice returns the first request, not a new one."""
    if submission_key and (existing := Ticket.objects.filter(requester=by, submission_key=submission_key).first()):
        return existing, False
    if not getattr(by, "is_authenticated", False) or not by.is_active:
        raise NotFound
    if not subject.strip() or not description.strip():
        raise Refused(_("Escribí un asunto y una descripción."))
    if not topic.is_active:
        raise Refused(_("La temática «%(topic)s» ya no recibe solicitudes. Elegí otra.") % {"topic": topic.name})
    try:
        with _storing_files() as stored, transaction.atomic():
            now = timezone.now()
            ticket = Ticket.objects.create(
                topic=topic, subject=subject, description=description, requester=by, company=by.company,
                state=State.NEW, created_at=now, last_activity_at=now, submission_key=submission_key,
            )
            _event(ticket, by, EventKind.CREATED, now)
            tray_counts.moved(None, place_of(ticket))
            search.refresh([ticket.number])
            attachments = _attach(stored, ticket, None, by, files, pending, now)
            notifications.request_filed(ticket, attachments, selectors.topic_operators(topic.pk))
    except IntegrityError:
        # Two submissions of one form at the same moment: the other one filed it.
        existing = submission_key and Ticket.objects.filter(requester=by, submission_key=submission_key).first()
        if not existing:
            raise
        return existing, False
    return ticket, True


# --- Messages ------------------------------------------------------------------------------------


def reply(ticket, *, by, body, files=(), pending=()):
    """A public intervention. The requester writing on a closed request reopens it, and the history says so."""
    return _write(ticket, by=by, body=body, files=files, pending=pending, internal=False)


def comment_internally(ticket, *, by, body, files=(), pending=()):
    """An internal comment: only operators see it, and only the assignee and operators involved are emailed."""
    return _write(ticket, by=by, body=body, files=files, pending=pending, internal=True)


def _write(ticket, *, by, body, files, pending, internal):
    with _storing_files() as stored, transaction.atomic():
        ticket = _locked(ticket)
        if internal:
            _require(permissions.can_comment_internally(by, ticket), by, ticket, "")
        else:
            _require(permissions.can_reply(by, ticket), by, ticket, "", staff_only=False)
        if not body.strip():
            raise Refused(_("Escribí un mensaje."))
        before = place_of(ticket)
        now = timezone.now()
        intervention = Intervention.objects.create(ticket=ticket, author=by, body=body, internal=internal,
                                                   created_at=now)
        attachments = _attach(stored, ticket, intervention, by, files, pending, now)
        reopened = not internal and ticket.state == State.CLOSED and by.pk == ticket.requester_id
        if reopened:
            _event(ticket, by, EventKind.REOPENED, now, before=State.CLOSED, after=State.IN_PROGRESS)
            _touch(ticket, now, state=State.IN_PROGRESS, closed_at=None, closed_by=None)
        else:
            _touch(ticket, now)
        _recount(before, ticket)
        search.refresh([ticket.number])
        recipients = selectors.reply_recipients(ticket, by, internal=internal)
        notifications.new_message(ticket, intervention, attachments, recipients, reopened=reopened)
    return intervention


# --- Moves ---------------------------------------------------------------------------------------


def take(ticket, *, by):
    """Nuevo → En proceso with `by` as the assignee. Of two operators at once exactly one wins."""
    with transaction.atomic():
        current = _locked(ticket)
        _require(permissions.works_on(by, current), by, current, "")
        if current.state != State.NEW:
            if current.assignee_id:
                raise AlreadyTaken(current.assignee)
            raise Refused(_("Solo se puede tomar una solicitud nueva."))
        now = timezone.now()
        # The conditional update is what makes taking atomic, even where the row lock above is a no-op.
        won = Ticket.objects.filter(pk=current.pk, state=State.NEW, assignee__isnull=True).update(
            state=State.IN_PROGRESS, assignee=by, taken_at=now, last_activity_at=now
        )
        if not won:
            raise AlreadyTaken(Ticket.objects.select_related("assignee").get(pk=current.pk).assignee)
        _event(current, by, EventKind.TAKEN, now, after=_name(by))
        tray_counts.moved(place_of(current), Place(current.topic_id, State.IN_PROGRESS, by.pk))
    return Ticket.objects.get(pk=current.pk)


def assign(ticket, *, by, assignee):
    """Give the request to an operator of its topic; a new request moves to En proceso."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(permissions.can_assign(by, ticket), by, ticket, _("Una solicitud cerrada no se puede asignar."))
        if not any(person.pk == assignee.pk for person in selectors.assignable_operators(ticket)):
            raise Refused(_("%(name)s no atiende la temática «%(topic)s».")
                          % {"name": _name(assignee), "topic": ticket.topic.name})
        if ticket.assignee_id == assignee.pk:
            raise Refused(_("La solicitud ya está asignada a %(name)s.") % {"name": _name(assignee)})
        now = timezone.now()
        place = place_of(ticket)
        before = _name(ticket.assignee) if ticket.assignee_id else ""
        fields = {"assignee": assignee}
        if ticket.state == State.NEW:
            fields.update(state=State.IN_PROGRESS, taken_at=now)
        _event(ticket, by, EventKind.ASSIGNED, now, before=before, after=_name(assignee))
        _touch(ticket, now, **fields)
        _recount(place, ticket)
        notifications.assigned(ticket, by)
    return ticket


def change_topic(ticket, *, by, topic):
    """Move the request to another active topic; its operators are told. The assignee stays."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(permissions.can_change_topic(by, ticket), by, ticket,
                 _("Una solicitud cerrada no puede cambiar de temática."))
        if not topic.is_active or topic.pk == ticket.topic_id:
            raise Refused(_("Elegí otra temática activa."))
        now = timezone.now()
        old_topic, place = ticket.topic, place_of(ticket)
        _event(ticket, by, EventKind.TOPIC_CHANGED, now, before=old_topic.name, after=topic.name)
        _touch(ticket, now, topic=topic)
        _recount(place, ticket)
        notifications.moved(ticket, by, old_topic, selectors.topic_operators(topic.pk))
    return ticket


def close(ticket, *, by, message=""):
    """En proceso → Cerrado, with an optional closing message that the requester receives."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(permissions.can_close(by, ticket), by, ticket, _close_refusal(ticket))
        now, place = timezone.now(), place_of(ticket)
        if message:
            Intervention.objects.create(ticket=ticket, author=by, body=message, internal=False, created_at=now)
            search.refresh([ticket.number])
        _event(ticket, by, EventKind.CLOSED, now, before=ticket.state, after=State.CLOSED)
        _touch(ticket, now, state=State.CLOSED, closed_at=now, closed_by=by)
        _recount(place, ticket)
        notifications.closed(ticket, by, message)
    return ticket


def _close_refusal(ticket):
    if ticket.state == State.CLOSED:
        return _("La solicitud ya está cerrada.")
    return _("Tomá o asigná la solicitud antes de cerrarla.")


def reopen(ticket, *, by):
    """Cerrado → En proceso."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(permissions.can_reopen(by, ticket), by, ticket, _("Solo se puede reabrir una solicitud cerrada."))
        now, place = timezone.now(), place_of(ticket)
        _event(ticket, by, EventKind.REOPENED, now, before=State.CLOSED, after=State.IN_PROGRESS)
        _touch(ticket, now, state=State.IN_PROGRESS, closed_at=None, closed_by=None)
        _recount(place, ticket)
    return ticket
