"""The administrators' /correo/ pages: what we sent (the outbox) and what arrived."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mail import masking, outbox, parsing
from mail.decorators import administrator_required
from mail.models import InboundMessage, OutboxMessage


def _by_state(request, messages_, field, choices):
    """The page of `messages_` (newest first) in the state `?estado=` names, if it names one of `choices`."""
    status = request.GET.get("estado")
    if status in dict(choices):
        messages_ = messages_.filter(**{field: status})
    else:
        status = ""
    return {
        "page": Paginator(messages_.order_by("-id"), 50).get_page(request.GET.get("pagina")), "status": status,
        "status_query": urlencode({"estado": status}) if status else "", "statuses": choices,
    }


@administrator_required
def outbox_list(request):
    messages_ = OutboxMessage.objects.only(
        "created_at", "status", "to", "subject", "attempts", "next_attempt_at", "sent_at", "last_error"
    )
    return render(request, "mail/outbox.html", {
        "summary": outbox.summary(), **_by_state(request, messages_, "status", OutboxMessage.Status.choices),
    })


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def outbox_retry(request, pk):
    if outbox.retry(pk):
        messages.success(request, _("El correo volvió a la cola y se enviará en breve."))
    else:
        messages.info(request, _("Ese correo ya no estaba fallido."))
    return redirect("mail:outbox")


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def outbox_test(request):
    outbox.send_test_message(request.user)
    messages.success(request, _("Te enviamos un correo de prueba a %(email)s.") % {"email": request.user.email})
    return redirect("mail:outbox")


@administrator_required
def outbox_detail(request, pk):
    """One email we sent (or will send), as its recipient reads it, with the keys of its links masked."""
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "mail/message.html", {
        "direction": "out", "message": message, "body": masking.mask(message.body),
        "fields": [
            (_("De"), message.from_email), (_("Para"), ", ".join(message.recipients)),
            (_("Responder a"), masking.mask(", ".join(message.reply_to))), (_("Asunto"), message.subject),
            (_("Message-ID"), message.message_id), (_("Estado"), message.get_status_display()),
            (_("Último error"), message.last_error),
        ],
        "attachments": [attachment["filename"] for attachment in message.attachments],
    })


@administrator_required
def inbound_list(request):
    messages_ = InboundMessage.objects.defer("raw")
    return render(request, "mail/inbound.html", _by_state(request, messages_, "state", InboundMessage.State.choices))


@administrator_required
def inbound_detail(request, pk):
    """One email that arrived: its state, why it was refused, and its text (safe: never its HTML)."""
    message = get_object_or_404(InboundMessage, pk=pk)
    parsed = parsing.parse(bytes(message.raw))
    return render(request, "mail/message.html", {
        "direction": "in", "message": message, "body": masking.mask(parsed.text),
        "fields": [
            (_("De"), f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name else parsed.from_address),
            (_("Para"), masking.mask(", ".join(parsed.recipients))), (_("Asunto"), parsed.subject),
            (_("Message-ID"), message.message_id), (_("Estado"), message.get_state_display()),
            (_("Motivo"), message.reason), (_("Resultado"), message.result),
            (_("Automático"), parsed.automatic),
        ],
        "attachments": [attachment.name for attachment in parsed.attachments],
    })
