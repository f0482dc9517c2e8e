"""Every change to a request: create, reply, comment internally, take, assign, change topic, close, reopen.

Each function checks permission (tickets.permissions) on the row it locked, changes the request, writes
the Event, moves the last activity (`last_activity_at`, and `public_activity_at` for all but internal
comments), keeps the tab counts (tickets.tray_counts), the reports' daily summary (reports.summary) and the
search index (tickets.search) exact and queues the emails (tickets.notifications), all in one transaction.
Which states a move leaves from and goes to is tickets.moves; who is emailed is tickets.recipients.
Each move returns a tickets.moves.Outcome saying what happened. Views, admin actions and commands call
these; nothing else writes tickets.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from reports import summary as report_summary
from satisfaction import services as satisfaction
from sla import clock
from tickets import moves, news, notifications, permissions, recipients, search, selectors, tray_counts, uploads
from tickets.models import (
    Attachment,
    Channel,
    Colleague,
    Event,
    EventKind,
    Intervention,
    Priority,
    State,
    Ticket,
    TimeEntry,
)
from tickets.moves import Move, Outcome
from tickets.tray_counts import Place, place_of
from topics import selectors as topics_selectors


class Refused(Exception):
    """A move the user may not make now (the request's state forbids it); the message says why."""


class AlreadyTaken(Refused):
    """Someone else took the request first."""

    def __init__(self, assignee):
        self.assignee = assignee
        name = assignee.display_name if assignee else _("otra persona")
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


def _require(move, by, ticket):
    """NotFound if `by` may not make `move` on the request at all, Refused if only its state forbids it."""
    if permissions.can_make(by, move, ticket):
        return
    if not permissions.is_allowed_to(by, move, ticket):
        raise NotFound
    raise Refused(moves.refusal(move))


def _event(ticket, by, kind, at, before="", after=""):
    return Event.objects.create(ticket=ticket, actor=by, kind=kind, before=before, after=after, at=at)


def _touch(ticket, at, *, public=True, **fields):
    """Save the changed fields and the last activity, on the locked row. Everything but an internal comment
    is `public`: the client sees it in the history, so their last activity moves too."""
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.last_activity_at = at
    changed = [*fields, "last_activity_at"]
    if public:
        ticket.public_activity_at = at
        changed.append("public_activity_at")
    ticket.save(update_fields=changed)


def _recount(before, ticket):
    """The request moved from `before` to where it is now: the tab counts follow."""
    tray_counts.moved(before, place_of(ticket))


NOT_WAITING = {"waiting_since": None, "waiting_reminded_at": None}


def _with_sla(ticket, now, fields, *, paused_since=None, renotify=False):
    """`fields` plus the SLA due times that follow from them (sla.clock), worked out on the changed request.
    `paused_since`: a wait on the client or a close that ends now (its business minutes stop counting)."""
    for name, value in fields.items():
        setattr(ticket, name, value)
    return {**fields, **clock.refreshed(ticket, now, paused_since=paused_since, renotify=renotify)}


def _name(user):
    return user.display_name


def _tell(move, ticket, by, *, former_assignee=None, colleague=None, **context):
    """Email whoever tickets.recipients names for this move; returns who that was. Every change passes here:
    staff who opened the request before (but `by`) also see it marked in their trays (tickets.news)."""
    news.changed(ticket, move, by)
    told = recipients.notices(move, ticket, by, former_assignee=former_assignee, colleague=colleague)
    if callable(context.get("survey_links")):  # only known once it is known who is told
        context["survey_links"] = context["survey_links"](told)
    notifications.send(told, ticket, move=move, by=by, colleague=colleague, **context)
    return tuple(person for person, _template in told)


def _survey_links(move, ticket, told, now):
    """Staff closing a request: the requester's closing email asks «¿Cómo te atendimos?» (satisfaction.services)
    when the requester is among those told; the links of its five answers, else None."""
    if move != Move.CLOSE or not any(person.pk == ticket.requester_id for person, _template in told):
        return None
    survey = satisfaction.ask_with_closing(ticket, at=now)
    return survey and satisfaction.answer_links(survey)


def _signature(by, *, internal):
    """What is copied under a message: the signature of an operator or administrator (Mi perfil) on a public
    one; nothing on internal comments or clients' messages. Copied, not linked: editing it later leaves the
    history as it was sent (issue 14)."""
    return by.signature.strip() if by.is_operator and not internal else ""


def _reopened_fields(ticket):
    """Reopening goes back to En proceso with the same assignee while they can still act on the request;
    otherwise back to Nuevo, unassigned, for the topic to take (no open request is held by someone who
    cannot act on it)."""
    assignee = ticket.assignee if ticket.assignee_id else None
    if assignee is not None and permissions.may_hold(assignee, ticket):
        return {"state": State.IN_PROGRESS, "closed_at": None, "closed_by": None}
    return {"state": State.NEW, "assignee": None, "taken_at": None, "closed_at": None, "closed_by": None}

@contextmanager
def _storing_files():
    """Files written to storage by a change that then fails are deleted: nothing half-written stays."""
    stored = []
    try:
        yield stored
    except BaseException:
        for file in stored:
            uploads.delete_stored(file.storage, file.name)
        raise


def _attach(stored, ticket, intervention, by, files, pending, at):
    """New uploads and files kept from a form that came back with an error, under one message."""
    attachments = []
    for checked in files:
        attachment = Attachment(
            ticket=ticket, intervention=intervention, original_name=checked.name, size=checked.size,
            content_type=checked.content_type, uploaded_by=by, created_at=at,
        )
        uploads.save_file(attachment.file, checked.name, checked.upload)  # StorageUnavailable
        stored.append(attachment.file)
        attachment.save()
        attachments.append(attachment)
    for kept in pending:
        if kept.owner_id != by.pk:
            raise NotFound
        # The row goes, the file stays: it now belongs to the attachment. A row already claimed (the same
        # form sent twice at once) is skipped. The caller's `kept` keeps its pk, so the form can tell it
        # was sent and not unticked (uploads.discard would spare the file anyway).
        if not uploads.claim(kept, by):
            continue
        attachments.append(Attachment.objects.create(
            ticket=ticket, intervention=intervention, file=kept.file.name, original_name=kept.original_name,
            size=kept.size, content_type=kept.content_type, uploaded_by=by, created_at=at,
        ))
    return attachments


# --- Create ---------------------------------------------------------------------------------------


def create(*, by, topic, subject, description, files=(), pending=(), submission_key=None, requester=None,
           channel=Channel.WEB):
    """File a request; (ticket, created). The same form sent twice returns the first request, not a new one.

    `requester`: staff file requests on behalf of a client who phoned, wrote or came in (`channel` says how);
    the client gets the usual receipt. Raises NotFound for an anonymous or deactivated user, or a client
    filing for someone else; Refused for an empty subject or description, an inactive requester, or a topic
    that receives no requests (inactive, or nobody works it: topics.selectors.open_topics).
    """
    requester = requester or by
    if submission_key and (existing := Ticket.objects.filter(requester=requester,
                                                             submission_key=submission_key).first()):
        return existing, False
    if not getattr(by, "is_authenticated", False) or not by.is_active:
        raise NotFound
    if requester.pk != by.pk and not by.is_operator:
        raise NotFound
    if not requester.is_active:
        raise Refused(_("%(name)s tiene la cuenta desactivada.") % {"name": _name(requester)})
    _check_filing(topic, subject, description)
    return _file(by=by, topic=topic, subject=subject, description=description, files=files, pending=pending,
                 submission_key=submission_key, requester=requester, channel=channel, move=Move.CREATE)


def _check_filing(topic, subject, description):
    if not subject.strip() or not description.strip():
        raise Refused(_("Escribí un asunto y una descripción."))
    if not topics_selectors.open_topics().filter(pk=topic.pk).exists():
        raise Refused(_("La temática «%(topic)s» ya no recibe solicitudes. Elegí otra.") % {"topic": topic.name})


def _file(*, by, topic, subject, description, files, pending, submission_key, requester, channel, move):
    try:
        with _storing_files() as stored, transaction.atomic():
            now = timezone.now()
            ticket = Ticket.objects.create(
                topic=topic, subject=subject, description=description, requester=requester,
                company=requester.company, state=State.NEW, created_at=now, last_activity_at=now,
                public_activity_at=now, submission_key=submission_key, channel=channel,
            )
            _event(ticket, by, EventKind.CREATED, now, after="" if requester.pk == by.pk else _name(requester))
            Ticket.objects.filter(pk=ticket.pk).update(**_with_sla(ticket, now, {}))
            tray_counts.moved(None, place_of(ticket))
            report_summary.follow(None, ticket.pk)
            search.refresh([ticket.number])
            attachments = _attach(stored, ticket, None, by, files, pending, now)
            _tell(move, ticket, by, attachments=attachments)
    except IntegrityError:
        # Two submissions of one form at the same moment: the other one filed it.
        existing = submission_key and Ticket.objects.filter(requester=requester,
                                                            submission_key=submission_key).first()
        if not existing:
            raise
        return existing, False
    return ticket, True


@dataclass(frozen=True)
class NewClient:
    """A client staff create while filing their request: name, address, phone (E.164 or "") and their
    company: an existing `company` (accounts.models.Company), else the `company_name` and `cuit` of a new one."""

    full_name: str
    email: str
    phone: str = ""
    company: object = None
    company_name: str = ""
    cuit: str = ""


def create_for_new_client(*, by, new_client, topic, subject, description, files=(), pending=(),
                          submission_key=None, channel=Channel.PHONE):
    """File a request for someone who is not a user yet (issue 13, item 1); returns (ticket, client).

    In one transaction: the company (accounts.services.company_for_cuit, when new), the client
    (accounts.services.create_invited_client: no password, address unverified), the request (as `create`),
    and their emails: the invitation link to choose a password, which also proves the address
    (accounts.services.send_invitation), and the usual receipt (tickets.recipients, CREATE_FOR_NEW_CLIENT).
    Raises NotFound unless `by` is active staff, ValidationError({"email": …}) if the address is in
    use, ValidationError for a bad CUIT, and Refused as `create` does; nothing is written then.
    """
    if not account_services.can_create_client(by):
        raise NotFound
    _check_filing(topic, subject, description)
    with transaction.atomic():
        company = new_client.company or account_services.company_for_cuit(new_client.cuit, new_client.company_name)
        client = account_services.create_invited_client(
            email=new_client.email, full_name=new_client.full_name, phone=new_client.phone, company=company, by=by)
        ticket, _created = _file(by=by, topic=topic, subject=subject, description=description, files=files,
                                 pending=pending, submission_key=submission_key, requester=client, channel=channel,
                                 move=Move.CREATE_FOR_NEW_CLIENT)
        account_services.send_invitation(client, by=by)
    return ticket, client


# --- Messages ------------------------------------------------------------------------------------


def reply(ticket, *, by, body, files=(), pending=(), wait=False, minutes=None):
    """A public intervention; returns its Outcome.

    The requester writing on a closed request reopens it (the brief); staff answering a Nuevo request take
    it (tickets.moves.reply_takes). `wait` («Responder y esperar al cliente», staff only) marks the request
    as waiting on the client; any other public message ends the wait. `minutes`: the time spent, recorded
    with the message (see `comment_internally`). Raises NotFound if `by` may not write on it (or may not wait,
    or record time), Refused for an empty message, minutes out of range or waiting on a closed request.
    """
    return _write(ticket, by=by, body=body, files=files, pending=pending, internal=False, wait=wait,
                  minutes=minutes)


def comment_internally(ticket, *, by, body, files=(), pending=(), minutes=None):
    """An internal comment (only staff see it); returns its Outcome. Raises NotFound for a client.

    `minutes` (whole minutes, 1 to TimeEntry.MAX_MINUTES, or None): time spent on the request, recorded as a
    TimeEntry of the message in the same transaction, by whoever works on it (tickets.permissions
    .can_record_time; NotFound for anyone else); Refused when out of range, and nothing is written.
    """
    return _write(ticket, by=by, body=body, files=files, pending=pending, internal=True, minutes=minutes)


def _check_minutes(by, ticket, minutes):
    if minutes is None:
        return
    if not permissions.can_record_time(by, ticket):
        raise NotFound
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= TimeEntry.MAX_MINUTES:
        raise Refused(_("El tiempo dedicado va en minutos enteros, de 1 a %(max)d.") % {"max": TimeEntry.MAX_MINUTES})


def _write(ticket, *, by, body, files, pending, internal, wait=False, minutes=None):
    move = Move.COMMENT if internal else (Move.WAIT if wait else Move.REPLY)
    with _storing_files() as stored, transaction.atomic():
        ticket = _locked(ticket)
        _require(move, by, ticket)
        if not body.strip():
            raise Refused(_("Escribí un mensaje."))
        _check_minutes(by, ticket, minutes)
        before, figures = place_of(ticket), report_summary.figures_of(ticket)
        now = timezone.now()
        intervention = Intervention.objects.create(ticket=ticket, author=by, body=body, internal=internal,
                                                   created_at=now, signature=_signature(by, internal=internal))
        if minutes is not None:
            report_summary.time_recorded(TimeEntry.objects.create(
                intervention=intervention, ticket=ticket, author=by, topic_id=ticket.topic_id,
                company_id=ticket.company_id, minutes=minutes, at=now))
        attachments = _attach(stored, ticket, intervention, by, files, pending, now)
        reopened = moves.reply_reopens(ticket, by, internal=internal)
        taken = moves.reply_takes(ticket, by, internal=internal)
        fields = {}
        if reopened:
            fields = _reopened_fields(ticket)
            _event(ticket, by, EventKind.REOPENED, now, before=State.CLOSED, after=fields["state"])
        elif taken:
            _event(ticket, by, EventKind.TAKEN, now, after=_name(by))
            fields = {"state": State.IN_PROGRESS, "assignee": by, "taken_at": now}
        # The SLA clock: a pause ends (the request was closed, or waited on the client); the first answer
        # of staff is stamped and moves the deadline to the resolution.
        paused_since = ticket.closed_at if reopened else (None if internal else ticket.waiting_since)
        first = moves.answers_first(ticket, by, internal=internal)
        if first:
            fields.update(clock.first_response(ticket, now, by))
        if wait:
            _event(ticket, by, EventKind.WAITING, now)
            fields.update(waiting_since=now, waiting_reminded_at=None)
        elif moves.reply_clears_waiting(ticket, by, internal=internal):
            fields.update(NOT_WAITING)
        if paused_since or first:
            fields = _with_sla(ticket, now, fields, paused_since=paused_since, renotify=first)
        _touch(ticket, now, public=not internal, **fields)
        _recount(before, ticket)
        report_summary.follow(figures, ticket.pk)
        search.refresh([ticket.number])
        told = _tell(move, ticket, by, intervention=intervention, attachments=attachments, reopened=reopened,
                     waiting=wait)
    return Outcome(ticket, intervention=intervention, reopened=reopened, taken=taken, waiting=wait,
                   recipients=told)


# --- Moves ---------------------------------------------------------------------------------------


def take(ticket, *, by):
    """Nuevo → En proceso with `by` as the assignee; returns the Outcome. Of two operators at once exactly
    one wins: the other gets AlreadyTaken naming the winner."""
    with transaction.atomic():
        current = _locked(ticket)
        if permissions.is_allowed_to(by, Move.TAKE, current) and current.assignee_id:
            raise AlreadyTaken(current.assignee)
        _require(Move.TAKE, by, current)
        now = timezone.now()
        # The conditional update is what makes taking atomic, even where the row lock above is a no-op.
        won = Ticket.objects.filter(pk=current.pk, state=State.NEW, assignee__isnull=True).update(
            state=State.IN_PROGRESS, assignee=by, taken_at=now, last_activity_at=now, public_activity_at=now
        )
        if not won:
            raise AlreadyTaken(Ticket.objects.select_related("assignee").get(pk=current.pk).assignee)
        _event(current, by, EventKind.TAKEN, now, after=_name(by))
        tray_counts.moved(place_of(current), Place(current.topic_id, State.IN_PROGRESS, by.pk))
        taken = Ticket.objects.get(pk=current.pk)
        told = _tell(Move.TAKE, taken, by)
    return Outcome(taken, taken=True, recipients=told)


def assign(ticket, *, by, assignee):
    """Give the request to an operator of its topic (a Nuevo one moves to En proceso); returns the Outcome.

    Raises Refused if `assignee` does not work the topic or already holds it.
    """
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(Move.ASSIGN, by, ticket)
        _check_assignee(ticket, assignee)
        told = _give(ticket, by=by, assignee=assignee, now=timezone.now())
    return Outcome(ticket, recipients=told)


def _check_assignee(ticket, assignee):
    if not permissions.may_be_assigned(assignee, ticket):
        raise Refused(_("%(name)s no atiende la temática «%(topic)s».")
                      % {"name": _name(assignee), "topic": ticket.topic.name})
    if ticket.assignee_id == assignee.pk:
        raise Refused(_("La solicitud ya está asignada a %(name)s.") % {"name": _name(assignee)})


def _give(ticket, *, by, assignee, now):
    """The locked request passes to `assignee` (checked by the caller): Event, counts, emails."""
    former = ticket.assignee if ticket.assignee_id else None
    place = place_of(ticket)
    fields = {"assignee": assignee}
    if ticket.state == State.NEW:
        fields.update(state=State.IN_PROGRESS, taken_at=now)
    _event(ticket, by, EventKind.ASSIGNED, now, before=_name(former) if former else "", after=_name(assignee))
    _touch(ticket, now, **fields)
    _recount(place, ticket)
    return _tell(Move.ASSIGN, ticket, by, former_assignee=former)


def change_topic(ticket, *, by, topic):
    """Move the request to another active topic; its operators are told. The assignee stays while they may
    hold it there (tickets.permissions.may_hold), else it goes back to Nuevo in the new topic. Returns the
    Outcome."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(Move.CHANGE_TOPIC, by, ticket)
        if topic.pk == ticket.topic_id:
            raise Refused(_("La solicitud ya es de la temática «%(topic)s».") % {"topic": topic.name})
        if not topic.is_active:
            raise Refused(_("Elegí otra temática activa."))
        now = timezone.now()
        old_topic, place, figures = ticket.topic, place_of(ticket), report_summary.figures_of(ticket)
        _event(ticket, by, EventKind.TOPIC_CHANGED, now, before=old_topic.name, after=topic.name)
        _touch(ticket, now, **_with_sla(ticket, now, {"topic": topic}, renotify=True))
        former = ticket.assignee if ticket.assignee_id else None
        if former is not None and not permissions.may_hold(former, ticket):
            _event(ticket, by, EventKind.RELEASED, now, before=_name(former), after=State.NEW)
            _touch(ticket, now, state=State.NEW, assignee=None, taken_at=None)
        _recount(place, ticket)
        report_summary.follow(figures, ticket.pk)
        told = _tell(Move.CHANGE_TOPIC, ticket, by, former_assignee=former, moved_from=old_topic)
    return Outcome(ticket, recipients=told)


def close(ticket, *, by, message=""):
    """Nuevo or En proceso → Cerrado, with an optional closing message the requester receives. Closing a
    Nuevo request takes it first (the closer becomes its assignee). Returns the Outcome."""
    return _close(Move.CLOSE, ticket, by=by, message=message)


def resolve(ticket, *, by, message=""):
    """The requester closes their own open request ("Ya está resuelto"), with an optional message that the
    assignee (or, while nobody holds it, the topic's operators) receive. Returns the Outcome. Raises
    NotFound for anyone but the requester, Refused if it is already closed."""
    return _close(Move.RESOLVE, ticket, by=by, message=message)


def _close(move, ticket, *, by, message):
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(move, by, ticket)
        now, place, figures = timezone.now(), place_of(ticket), report_summary.figures_of(ticket)
        taken = move == Move.CLOSE and moves.close_takes(ticket)
        intervention = None
        if taken:
            _event(ticket, by, EventKind.TAKEN, now, after=_name(by))
            _touch(ticket, now, assignee=by, taken_at=now)
        fields = {}
        if message.strip():
            intervention = Intervention.objects.create(ticket=ticket, author=by, body=message, internal=False,
                                                       created_at=now, signature=_signature(by, internal=False))
            search.refresh([ticket.number])
            if moves.answers_first(ticket, by, internal=False):
                fields.update(clock.first_response(ticket, now, by))
        _event(ticket, by, EventKind.CLOSED, now, before=ticket.state, after=State.CLOSED)
        _touch(ticket, now, **_with_sla(ticket, now, {**fields, "state": State.CLOSED, "closed_at": now,
                                                      "closed_by": by}, paused_since=ticket.waiting_since),
               **NOT_WAITING)
        _recount(place, ticket)
        report_summary.follow(figures, ticket.pk)
        told = _tell(move, ticket, by, message=message, signature=intervention.signature if intervention else "",
                     survey_links=lambda told: _survey_links(move, ticket, told, now))
    return Outcome(ticket, intervention=intervention, taken=taken, recipients=told)


def set_priority(ticket, *, by, priority):
    """Baja, Normal, Alta or Urgente (tickets.models.Priority), by staff working an open request; an Event
    each time, the assignee told when someone else changed it. Returns the Outcome. Raises NotFound for
    anyone who does not work the request, Refused on a closed request or an unchanged priority."""
    priority = Priority(int(priority))
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(Move.SET_PRIORITY, by, ticket)
        if ticket.priority == priority:
            raise Refused(_("La solicitud ya tiene prioridad %(priority)s.") % {"priority": priority.label})
        now, figures = timezone.now(), report_summary.figures_of(ticket)
        _event(ticket, by, EventKind.PRIORITY_CHANGED, now, before=Priority(ticket.priority).label,
               after=priority.label)
        # The desk's order: the client does not see it.
        _touch(ticket, now, public=False, **_with_sla(ticket, now, {"priority": priority}, renotify=True))
        report_summary.follow(figures, ticket.pk)
        told = _tell(Move.SET_PRIORITY, ticket, by, priority=priority)
    return Outcome(ticket, recipients=told)


def reopen(ticket, *, by):
    """Cerrado → En proceso (or Nuevo, when its assignee can no longer act on it); the requester and the
    assignee are told. Returns the Outcome."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(Move.REOPEN, by, ticket)
        now, place, figures = timezone.now(), place_of(ticket), report_summary.figures_of(ticket)
        fields = _reopened_fields(ticket)
        _event(ticket, by, EventKind.REOPENED, now, before=State.CLOSED, after=fields["state"])
        _touch(ticket, now, **_with_sla(ticket, now, fields, paused_since=ticket.closed_at))
        _recount(place, ticket)
        report_summary.follow(figures, ticket.pk)
        told = _tell(Move.REOPEN, ticket, by)
    return Outcome(ticket, reopened=True, recipients=told)


# --- Colleagues in copy (issue 14) ---------------------------------------------------------------------


def _forget_copies(ticket):
    ticket._copied_ids = None


def add_colleague(ticket, *, by, colleague):
    """Put `colleague` in copy on the request: from now on they see it, get its public emails and may write on
    it. Made by its requester or staff working it, in any state; an Event («Ana agregó a Juan en copia») and the
    emails of tickets.recipients (the colleague gets the link). Returns the Outcome. Raises NotFound for
    anyone else (a colleague in copy included), Refused when `colleague` is not one of
    tickets.selectors.colleague_candidates (another company, unconfirmed, unverified, deactivated, already in
    copy, the requester)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(Move.ADD_COLLEAGUE, by, ticket)
        candidates = selectors.colleague_candidates(ticket)
        if candidates is None:
            raise Refused(_("Se pueden agregar colegas cuando la empresa confirme a %(name)s como integrante.")
                          % {"name": _name(ticket.requester)})
        if colleague is None or not candidates.filter(pk=colleague.pk).exists():
            raise Refused(_("Elegí un colega confirmado de %(company)s que no esté ya en copia.")
                          % {"company": ticket.company.name})
        now = timezone.now()
        try:
            with transaction.atomic():
                Colleague.objects.create(ticket=ticket, user=colleague, added_by=by, added_at=now)
        except IntegrityError:  # added a moment ago by someone else
            raise Refused(_("%(name)s ya está en copia.") % {"name": _name(colleague)}) from None
        _forget_copies(ticket)
        _event(ticket, by, EventKind.COLLEAGUE_ADDED, now, after=_name(colleague))
        told = _tell(Move.ADD_COLLEAGUE, ticket, by, colleague=colleague)
    return Outcome(ticket, recipients=told)


def remove_colleague(ticket, *, by, colleague):
    """Take `colleague` out of copy: at once they no longer see the request (page, trays, search, downloads),
    get its emails, nor may answer them (their reply-by-email address is refused). By its requester or staff
    working it; an Event. Returns the Outcome. Raises NotFound like add_colleague, Refused when `colleague` is
    not in copy."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(Move.REMOVE_COLLEAGUE, by, ticket)
        now = timezone.now()
        ended = Colleague.objects.filter(ticket=ticket, user=colleague, removed_at__isnull=True).update(
            removed_at=now, removed_by=by)
        if not ended:
            raise Refused(_("%(name)s no está en copia.") % {"name": _name(colleague)})
        _forget_copies(ticket)
        _event(ticket, by, EventKind.COLLEAGUE_REMOVED, now, after=_name(colleague))
        told = _tell(Move.REMOVE_COLLEAGUE, ticket, by, colleague=colleague)
    return Outcome(ticket, recipients=told)


# --- When a person loses access ----------------------------------------------------------------------


def open_requests_held_by(user):
    """The open requests assigned to `user` (a queryset), for the administrators' pages."""
    return Ticket.objects.filter(assignee=user, state__in=moves.OPEN_STATES)


def count_open_requests_held_by(users):
    """How many open requests are assigned to any of `users` (int): one query, on ticket_tray_assignee_idx."""
    return Ticket.objects.filter(assignee__in=[user.pk for user in users], state__in=moves.OPEN_STATES).count()


def hand_off_stranded(user, *, by, reassign_to=None):
    """After `user` lost access (deactivated, no longer staff, off a topic): each open request assigned to
    them that they can no longer act on goes to `reassign_to` when that person may be assigned it, else back
    to Nuevo, unassigned, for its topic. In the caller's transaction; each change an Event, counts exact.

    Returns (reassigned, released): how many of each. Rule: issue 11, "Who hears about what".
    """
    user = type(user).objects.get(pk=user.pk)  # what they may do now, not what the caller's copy says
    reassigned = released = 0
    with transaction.atomic():
        for number in open_requests_held_by(user).order_by("number").values_list("number", flat=True):
            ticket = Ticket.objects.select_for_update().get(pk=number)
            if ticket.assignee_id != user.pk or not ticket.is_open or permissions.may_hold(user, ticket):
                continue
            now = timezone.now()
            if reassign_to is not None and permissions.may_be_assigned(reassign_to, ticket):
                _give(ticket, by=by, assignee=reassign_to, now=now)
                reassigned += 1
            else:
                _release(ticket, by=by, now=now)
                released += 1
    return reassigned, released


def _release(ticket, *, by, now):
    former, place, figures = ticket.assignee, place_of(ticket), report_summary.figures_of(ticket)
    _event(ticket, by, EventKind.RELEASED, now, before=_name(former), after=State.NEW)
    _touch(ticket, now, **_with_sla(ticket, now, {"state": State.NEW, "assignee": None, "taken_at": None},
                                    paused_since=ticket.waiting_since), **NOT_WAITING)
    _recount(place, ticket)
    report_summary.follow(figures, ticket.pk)
    _tell(Move.RELEASE, ticket, by, former_assignee=former)


# --- Waiting on the client ---------------------------------------------------------------------------


def run_waiting_clock(*, now=None, batch=500):
    """Remind the clients of requests waiting on them for WAITING_REMINDER_DAYS, and close those waiting for
    WAITING_CLOSE_DAYS (issue 13). Run by a Celery beat task; safe on several workers at once: each request
    is acted on by a conditional update, so it is reminded once and closed once. Returns (reminded, closed).
    """
    now = now or timezone.now()
    reminder_days, close_days = settings.WAITING_REMINDER_DAYS, settings.WAITING_CLOSE_DAYS
    due = (Ticket.objects.filter(waiting_since__lte=now - timedelta(days=min(reminder_days, close_days)),
                                 state=State.IN_PROGRESS)
           .order_by("waiting_since").values_list("number", flat=True)[:batch])
    reminded = closed = 0
    for number in list(due):
        with transaction.atomic():
            ticket = Ticket.objects.filter(pk=number).first()
            what = ticket and moves.waiting_due(ticket, now, reminder_days=reminder_days, close_days=close_days)
            if what == "close" and _auto_close(ticket, now):
                closed += 1
            elif what == "remind" and _remind(ticket, now):
                reminded += 1
    return reminded, closed


def _remind(ticket, now):
    won = Ticket.objects.filter(pk=ticket.pk, state=State.IN_PROGRESS, waiting_since=ticket.waiting_since,
                                waiting_reminded_at__isnull=True).update(waiting_reminded_at=now)
    if won:
        _event(ticket, None, EventKind.REMINDED, now)
        _tell(Move.REMIND, ticket, None, close_days=settings.WAITING_CLOSE_DAYS)
    return bool(won)


def _auto_close(ticket, now):
    sla = clock.refreshed(ticket, now, paused_since=ticket.waiting_since)  # the wait does not count
    won = Ticket.objects.filter(pk=ticket.pk, state=State.IN_PROGRESS, waiting_since=ticket.waiting_since).update(
        state=State.CLOSED, closed_at=now, closed_by=None, last_activity_at=now, public_activity_at=now,
        **NOT_WAITING, **sla)
    if won:
        _event(ticket, None, EventKind.AUTO_CLOSED, now, before=State.IN_PROGRESS, after=State.CLOSED)
        tray_counts.moved(place_of(ticket), Place(ticket.topic_id, State.CLOSED, ticket.assignee_id))
        report_summary.follow(report_summary.figures_of(ticket), ticket.pk)
        ticket.refresh_from_db()
        _tell(Move.AUTO_CLOSE, ticket, None, days=settings.WAITING_CLOSE_DAYS)
    return bool(won)


# --- The SLA clock ----------------------------------------------------------------------------------------


def run_sla_clock(*, now=None, batch=500):
    """Tell the assignee (or, while nobody holds it, the topic's operators) once when 80 % of a request's
    active SLA target has passed and once when it breached (sla.clock; issue 15). Nothing for a request that
    waits on the client or is closed. Run by a Celery beat task; safe on several workers at once: each notice
    is claimed by a conditional update on the level already sent. Returns (warned, breached).
    """
    now = now or timezone.now()
    due = (Ticket.objects.filter(Q(sla_notified=clock.NOTHING_SENT, sla_warn_at__lte=now)
                                 | Q(sla_notified=clock.WARNED, sla_due_at__lte=now),
                                 waiting_since__isnull=True, sla_warn_at__isnull=False)
           .exclude(state=State.CLOSED).order_by("sla_warn_at").values_list("number", flat=True)[:batch])
    warned = breached = 0
    for number in list(due):
        with transaction.atomic():
            ticket = Ticket.objects.filter(pk=number).first()
            what = ticket and clock.due_now(ticket, now)
            if what and _sla_notice(ticket, now, breach=what == "breach"):
                breached, warned = (breached + 1, warned) if what == "breach" else (breached, warned + 1)
    return warned, breached


def _sla_notice(ticket, now, *, breach):
    level = clock.BREACHED if breach else clock.WARNED
    won = (Ticket.objects.filter(pk=ticket.pk, sla_notified=ticket.sla_notified, sla_due_at=ticket.sla_due_at,
                                 waiting_since__isnull=True).exclude(state=State.CLOSED)
           .update(sla_notified=level))
    if won:
        kind = EventKind.SLA_BREACHED if breach else EventKind.SLA_WARNING
        target = _("primera respuesta") if ticket.first_response_at is None else _("resolución")
        _event(ticket, None, kind, now, after=target)
        _tell(Move.SLA_BREACH if breach else Move.SLA_WARNING, ticket, None, breach=breach,
              due_at=ticket.sla_due_at, target=target)
    return bool(won)
