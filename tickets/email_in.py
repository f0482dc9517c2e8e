"""Requests by email: what tickets does with a message mail.inbound hands it (registered in tickets.apps).

- `answer(token, message)`: an answer to a notification. Only the person the notice was sent to may write
  through its token: the From address must be theirs, their account active, and they must still be allowed
  the move now (tickets.permissions.can_make, the same predicate as the web). A public notice's answer is a
  public intervention (services.reply); an internal notice's answer stays internal
  (services.comment_internally). Otherwise Refused, and logged on /correo/.
- `start(tags, message)`: a message to the inbound address (tag "") or a `+tag` of it. The tag is a
  topic's name in lower case with dashes (`soporte+facturacion@…` for «Facturación»); the bare address
  files in INBOUND_DEFAULT_TOPIC, else in the only open topic. A verified, active client files a request
  (services.create, channel «Correo») and gets the usual receipt; anyone else gets at most one polite
  answer a day (mail.inbound) and nothing is created.

Attachments go through the same checks as uploads (tickets.uploads.check); a refused one is named at the
end of the message, never dropped silently.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mail.inbound import Refused
from mail.outbox import absolute_url
from tickets import permissions, services, uploads
from tickets.models import Channel, Ticket
from tickets.moves import Move
from topics import selectors as topics_selectors


def _files(message):
    """(checked files, text naming the refused ones) for the message's attachments."""
    checked, refused = [], []
    for attachment in message.attachments:
        upload = SimpleUploadedFile(attachment.name, attachment.content, attachment.content_type)
        if len(checked) >= settings.ATTACHMENT_MAX_FILES:
            refused.append(_("«%(name)s»: se aceptan hasta %(max)s archivos por mensaje.") % {
                "name": uploads.clean_name(attachment.name), "max": settings.ATTACHMENT_MAX_FILES})
            continue
        try:
            checked.append(uploads.check(upload))
        except ValidationError as error:
            refused.extend(error.messages)
    note = ""
    if refused:
        note = _("Adjuntos no aceptados:") + "\n" + "\n".join(f"- {reason}" for reason in refused)
    return checked, note


def _body(text, note, files):
    body = "\n\n".join(part for part in (text.strip(), note) if part)
    if not body and files:
        body = _("(Adjuntos enviados por correo)")
    return body


def answer(token, message):
    """An answer by email to a notice about request `token.thread`; returns what it became (str)."""
    # The person is almost always the requester or the assignee: read with the request, in one query.
    ticket = Ticket.objects.select_related("topic", "requester", "assignee").filter(number=token.thread)
    ticket = next(iter(ticket.order_by()[:1]), None)
    if ticket is not None and token.person in (ticket.requester_id, ticket.assignee_id):
        person = ticket.requester if token.person == ticket.requester_id else ticket.assignee
    else:
        person = get_user_model().objects.filter(pk=token.person).first()
    if person is None or ticket is None:
        raise Refused(_("La solicitud o la persona de la dirección de respuesta ya no existe."))
    if person.email.lower() != message.from_address:
        raise Refused(_("Lo envía %(sender)s, pero la dirección de respuesta es de %(owner)s: no se acepta.") % {
            "sender": message.from_address, "owner": person.email})
    if not person.is_active:
        raise Refused(_("La cuenta de %(email)s está desactivada.") % {"email": person.email})
    move = Move.COMMENT if token.internal else Move.REPLY
    if not permissions.can_make(person, move, ticket):
        raise Refused(_("%(email)s ya no puede escribir en la solicitud #%(number)s.") % {
            "email": person.email, "number": ticket.number})
    files, note = _files(message)
    body = _body(message.reply, note, files)
    try:
        if token.internal:
            services.comment_internally(ticket, by=person, body=body, files=files)
        else:
            services.reply(ticket, by=person, body=body, files=files)
    except (services.NotFound, services.Refused) as error:
        raise Refused(_("Solicitud #%(number)s: %(why)s") % {"number": ticket.number, "why": error}) from error
    if token.internal:
        return _("Comentario interno en la solicitud #%(number)s") % {"number": ticket.number}
    return _("Respuesta en la solicitud #%(number)s") % {"number": ticket.number}


def _topic_for(tags):
    topics = list(topics_selectors.open_topics())
    by_tag = {slugify(topic.name): topic for topic in topics}
    for tag in tags:
        if tag and tag in by_tag:
            return by_tag[tag]
    if "" in tags or not tags:
        default = settings.INBOUND_DEFAULT_TOPIC
        if default:
            return next((topic for topic in topics if topic.name == default or slugify(topic.name) == default), None)
        if len(topics) == 1:
            return topics[0]
    return None


def topic_address(topic):
    """The address that files a request in `topic` by email: the inbound address with the topic's tag."""
    from mail.replies import inbound_address

    local, domain = inbound_address()
    return f"{local}+{slugify(topic.name)}@{domain}"


def start(tags, message):
    """A new request by email; returns what it became (str)."""
    person = get_user_model().objects.filter(email__iexact=message.from_address).first()
    verified = person is not None and person.emailaddress_set.filter(
        email__iexact=message.from_address, verified=True).exists()
    if person is None or not person.is_active or not verified or not person.is_client:
        raise Refused(
            _("%(sender)s no es un cliente registrado y verificado: no se crea la solicitud.")
            % {"sender": message.from_address},
            answer=("inbound_unknown_sender", {"signup_url": absolute_url("account_signup")}),
        )
    topic = _topic_for(tags)
    if topic is None:
        raise Refused(
            _("No corresponde a ninguna temática abierta (%(tags)s).") % {"tags": ", ".join(tags) or "—"},
            answer=("inbound_no_topic", {"topics": [(topic.name, topic_address(topic))
                                                     for topic in topics_selectors.open_topics()]}),
        )
    files, note = _files(message)
    subject = message.subject.strip()[:200] or _("(Sin asunto)")
    description = _body(message.reply, note, files) or subject
    try:
        ticket, _created = services.create(by=person, topic=topic, subject=subject, description=description,
                                           files=files, channel=Channel.EMAIL)
    except (services.NotFound, services.Refused) as error:
        raise Refused(str(error)) from error
    return _("Solicitud #%(number)s creada") % {"number": ticket.number}
