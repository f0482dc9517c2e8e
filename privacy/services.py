"""Mis datos (Ley 25.326): a person downloads what we keep about them, and asks for it to be deleted; an
administrator honours the request. The one home of what "their data" is.

Their data: their profile; the requests they filed, with the public messages and the history of each (who
else took part is not said: the team's people are "Equipo de Sysmo"); the requests of colleagues they are or
were in copy on, with what they wrote there (issue 14); the files they uploaded that they can see; the emails
we sent to their address. Never an internal comment, its files, or anybody else's personal
data (privacy/tests/test_personal_data.py puts canaries there).

Deleting keeps the requests (the company's history and the reports stay as they were) but takes the person
out of them: their name, email and phone are replaced, the files they uploaded are removed, their name and
address are blanked out of the texts of their requests and messages and of the history's lines that name them
(«… agregó a Juan en copia»), they leave every copy, and the search terms are rebuilt.
"""

import io
import json
import re
import zipfile

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import handoff
from accounts.models import AccountAuditEntry, Company, User
from mail import masking, replies
from mail.models import OutboxMessage
from privacy.models import DeletionRequest
from satisfaction.models import Score, Survey
from tickets import search
from tickets.models import Attachment, Colleague, Event, Intervention, PendingUpload, Ticket

ERASED_NAME = "Usuario eliminado"
TEAM = "Equipo de Sysmo"


# --- Who may -------------------------------------------------------------------------------------------------


def can_honour(actor):
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_administrator)


def open_request(user):
    """The person's deletion request waiting for an administrator, or None."""
    return DeletionRequest.objects.filter(user=user, honoured_at__isnull=True).first()


def pending_requests():
    """Deletion requests waiting for an administrator, oldest first, with their person (one query)."""
    return DeletionRequest.objects.filter(honoured_at__isnull=True).select_related("user").order_by("requested_at")


# --- Export --------------------------------------------------------------------------------------------------


def _when(value):
    return value.isoformat() if value else None


def _profile(user):
    company = user.company
    return {
        "correo": user.email, "nombre": user.full_name, "telefono": user.phone, "rol": user.get_role_display(),
        "empresa": {"nombre": company.name, "cuit": company.cuit} if company else None,
        "empresa_confirmada": not user.membership_pending if company else None,
        "idioma": user.language, "alta": _when(user.date_joined), "ultimo_ingreso": _when(user.last_login),
        "firma": user.signature,
        "sesiones": [{"inicio": _when(session.created_at), "ip": session.ip, "navegador": session.user_agent}
                     for session in UserSession.objects.filter(user=user).order_by("created_at")],
    }


def _requests(user):
    tickets = (Ticket.objects.filter(requester=user).select_related("topic").order_by("number")
               .prefetch_related("events"))
    public = Intervention.objects.filter(ticket__requester=user, internal=False).order_by("created_at", "id")
    messages = {}
    for message in public:
        messages.setdefault(message.ticket_id, []).append({
            "fecha": _when(message.created_at), "de": "Vos" if message.author_id == user.pk else TEAM,
            "texto": message.body,
        })
    return [{
        "numero": ticket.number, "asunto": ticket.subject, "descripcion": ticket.description,
        "tematica": ticket.topic.name, "estado": ticket.get_state_display(), "creada": _when(ticket.created_at),
        "cerrada": _when(ticket.closed_at), "mensajes": messages.get(ticket.number, []),
        # What happened and when; who did it is the team's business, not the requester's data.
        "historia": [{"fecha": _when(event.at), "que": event.get_kind_display()} for event in ticket.events.all()],
    } for ticket in tickets]


def _copies(user):
    """The requests of colleagues the person is or was in copy on (issue 14): while they are in copy (and may
    see it), its number, subject, topic, state and since when; in any case the public messages they wrote there.
    Nothing others wrote (the description and messages are the requester's and the team's)."""
    rows = Colleague.objects.filter(user=user).exclude(ticket__requester=user)
    ever = set(rows.values_list("ticket_id", flat=True))
    if not ever:
        return []
    since = dict(rows.filter(removed_at__isnull=True).values_list("ticket_id", "added_at"))
    visible = {ticket.number: ticket for ticket in Ticket.objects.visible_to(user).filter(pk__in=since)
               .select_related("topic")}
    written = {}
    for message in Intervention.objects.filter(author=user, internal=False, ticket_id__in=ever).order_by(
            "created_at", "id"):
        written.setdefault(message.ticket_id, []).append({"fecha": _when(message.created_at), "texto": message.body})
    found = []
    for number in sorted(ever):
        ticket = visible.get(number)
        if ticket is not None:
            found.append({"numero": number, "en_copia": True, "asunto": ticket.subject, "tematica": ticket.topic.name,
                          "estado": ticket.get_state_display(), "en_copia_desde": _when(since[number]),
                          "tus_mensajes": written.get(number, [])})
        elif number in written:
            found.append({"numero": number, "en_copia": False, "tus_mensajes": written[number]})
    return found


def _surveys(user):
    """The person's answers to «¿Cómo te atendimos?» (issue 15): for each request of theirs we asked about, its
    number, when we asked, their answer (1–5 and its words), their comment and the dates they answered and
    changed it. Not who held the request or its topic: that is the team's, not theirs."""
    labels = dict(Score.choices)
    return [{
        "solicitud": survey.ticket_id, "enviada": _when(survey.sent_at),
        "respuesta": survey.score, "respuesta_texto": str(labels[survey.score]) if survey.score else None,
        "comentario": survey.comment, "respondida": _when(survey.answered_at), "cambiada": _when(survey.changed_at),
    } for survey in Survey.objects.filter(requester=user).order_by("ticket_id")]


def _surveys_of_my_work(user):
    """For a staff member: how many surveys were sent about requests they held at closing, how many answered, and
    the average score (1–5) — counts only. Which client answered what, and their comments, are the clients'
    data: they stay out (staff see them on the requests they work, as the app allows)."""
    if not user.is_operator:
        return None
    figures = Survey.objects.filter(assignee=user).aggregate(
        sent=Count("*"), answered=Count("score"), average=Avg("score"))
    return {"enviadas": figures["sent"], "respondidas": figures["answered"],
            "puntaje_promedio": None if figures["average"] is None else round(figures["average"], 2)}


def _files(user):
    copied = Colleague.objects.filter(user=user).values("ticket_id")
    return (Attachment.objects.for_clients().filter(uploaded_by=user)
            .filter(Q(ticket__requester=user) | Q(ticket_id__in=copied)).order_by("pk"))


def _emails(user):
    """Emails whose recipients include the person's address (scanned in batches: a rare request), except the
    notices of internal comments (their Reply-To token says so: an internal comment never leaves by this
    path either), with one-time links masked as on /correo/ (a ZIP may be kept or forwarded)."""
    address = user.email.lower()
    found = []
    rows = OutboxMessage.objects.only("created_at", "to", "cc", "bcc", "reply_to", "subject", "body").order_by("pk")
    for row in rows.iterator(chunk_size=2000):
        if address not in (r.lower() for r in row.recipients):
            continue
        token = replies.token_in(row.reply_to)
        if token and token.internal:
            continue
        found.append({"fecha": _when(row.created_at), "asunto": row.subject, "texto": masking.mask(row.body)})
    return found


def export_zip(user):
    """Everything we keep about `user`, as the bytes of a ZIP: perfil.json, solicitudes.json, en_copia.json,
    correos.json, encuestas.json (and for staff encuestas_sobre_tu_atencion.json), LEEME.txt and
    archivos/<request number>/<name> for the files they uploaded."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def write_json(name, data):
            archive.writestr(name, json.dumps(data, ensure_ascii=False, indent=2))
        write_json("perfil.json", _profile(user))
        write_json("solicitudes.json", _requests(user))
        write_json("en_copia.json", _copies(user))
        write_json("correos.json", _emails(user))
        write_json("encuestas.json", _surveys(user))
        about_my_work = _surveys_of_my_work(user)
        if about_my_work is not None:
            write_json("encuestas_sobre_tu_atencion.json", about_my_work)
        for attachment in _files(user):
            with attachment.file.open("rb") as handle:
                archive.writestr(f"archivos/{attachment.ticket_id}/{attachment.pk}-{attachment.original_name}",
                                 handle.read())
        archive.writestr("LEEME.txt", _(
            "Tus datos en Sysmo Tickets, descargados el %(day)s.\n\nperfil.json: tus datos de contacto.\n"
            "solicitudes.json: tus solicitudes, con sus mensajes públicos y su historia.\n"
            "en_copia.json: las solicitudes de colegas en las que estás en copia, y lo que escribiste en ellas.\n"
            "correos.json: los correos que te enviamos.\n"
            "encuestas.json: tus respuestas a «¿Cómo te atendimos?», con tus comentarios.\n"
            "encuestas_sobre_tu_atencion.json (solo el equipo): cuántas encuestas se enviaron y respondieron de las "
            "solicitudes que tenías asignadas al cerrarlas, y su puntaje promedio; sin decir quién respondió qué.\n"
            "archivos/: los archivos que subiste.\n"
        ) % {"day": timezone.localdate().strftime("%d/%m/%Y")})
    return buffer.getvalue()


# --- Deletion ------------------------------------------------------------------------------------------------


def ask_deletion(user):
    """The person asks for their data to be deleted. Returns their open request (the existing one if they had
    asked already)."""
    existing = open_request(user)
    if existing:
        return existing
    try:
        with transaction.atomic():
            return DeletionRequest.objects.create(user=user)
    except IntegrityError:  # the same form sent twice at once
        return open_request(user)


def _blank_out(text, needles):
    for needle in needles:
        text = re.sub(re.escape(needle), ERASED_NAME, text, flags=re.IGNORECASE)
    return text


@transaction.atomic
def erase(deletion, *, by):
    """Honour a deletion request: the person can no longer sign in, their name, email and phone are replaced
    ("Usuario eliminado"), the files they uploaded are removed, their name and address are blanked out of the
    texts of the requests they filed or wrote in, and those requests' search terms rebuilt. Their requests,
    events and counts stay (reports unchanged). Writes DATA_ERASED on their Registro de cambios. Raises
    PermissionDenied unless `by` is an active administrator other than the person."""
    deletion = DeletionRequest.objects.select_for_update().get(pk=deletion.pk)
    if not can_honour(by) or deletion.honoured_at is not None or deletion.user_id == by.pk:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=deletion.user_id)
    needles = [value for value in (user.full_name.strip(), user.email) if len(value) >= 3]
    numbers = set(Ticket.objects.filter(requester=user).values_list("number", flat=True))
    numbers |= set(Intervention.objects.filter(author=user).values_list("ticket_id", flat=True))
    numbers |= set(Colleague.objects.filter(user=user).values_list("ticket_id", flat=True))
    for ticket in Ticket.objects.filter(number__in=numbers).only("number", "subject", "description"):
        subject, description = _blank_out(ticket.subject, needles), _blank_out(ticket.description, needles)
        if (subject, description) != (ticket.subject, ticket.description):
            Ticket.objects.filter(pk=ticket.pk).update(subject=subject[:200], description=description)
    for message in Intervention.objects.filter(ticket_id__in=numbers).only("body"):
        body = _blank_out(message.body, needles)
        if body != message.body:
            Intervention.objects.filter(pk=message.pk).update(body=body)
    # The history names people in words («Ana agregó a Juan en copia», «cargó la solicitud en nombre de…»).
    for event in Event.objects.filter(ticket_id__in=numbers).exclude(before="", after="").only("before", "after"):
        before, after = _blank_out(event.before, needles), _blank_out(event.after, needles)
        if (before, after) != (event.before, event.after):
            Event.objects.filter(pk=event.pk).update(before=before[:200], after=after[:200])
    Colleague.objects.filter(user=user, removed_at__isnull=True).update(removed_at=timezone.now(), removed_by=by)
    # Their satisfaction comments (issue 15): the answer stays (reports unchanged), their name leaves the text.
    for survey in Survey.objects.filter(requester=user).exclude(comment="").only("comment"):
        comment = _blank_out(survey.comment, needles)
        if comment != survey.comment:
            Survey.objects.filter(pk=survey.pk).update(comment=comment)
    files = list(Attachment.objects.filter(uploaded_by=user)) + list(PendingUpload.objects.filter(owner=user))
    for row in files:
        row.file.delete(save=False)
        row.delete()
    Company.objects.filter(contact=user).update(contact=None)
    EmailAddress.objects.filter(user=user).delete()
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    Intervention.objects.filter(author=user).exclude(signature="").update(signature="")  # copies of it (issue 14)
    user.full_name, user.phone, user.company_name_given, user.signature = ERASED_NAME, "", "", ""
    user.email = f"eliminado-{user.pk}@eliminado.invalid"
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["full_name", "phone", "company_name_given", "signature", "email", "is_active",
                             "password"])
    handoff.hand_off([user], by=by)  # open requests a staff member held go back to be taken
    search.refresh(numbers)
    deletion.honoured_at, deletion.honoured_by = timezone.now(), by
    deletion.save(update_fields=["honoured_at", "honoured_by"])
    AccountAuditEntry.objects.create(actor=by, target=user, action=AccountAuditEntry.Action.DATA_ERASED)
    return user
