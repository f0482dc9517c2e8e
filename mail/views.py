"""The administrators' /correo/ pages: what we sent (the outbox) and what arrived."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mail import outbox
from mail.decorators import administrator_required
from mail.models import OutboxMessage


@administrator_required
def outbox_list(request):
    status = request.GET.get("estado")
    messages_ = OutboxMessage.objects.order_by("-id").only(
        "created_at", "status", "to", "subject", "attempts", "next_attempt_at", "sent_at", "last_error"
    )
    if status in OutboxMessage.Status.values:
        messages_ = messages_.filter(status=status)
    else:
        status = ""
    page = Paginator(messages_, 50).get_page(request.GET.get("pagina"))
    return render(request, "mail/outbox.html", {
        "summary": outbox.summary(), "page": page, "status": status,
        "status_query": urlencode({"estado": status}) if status else "", "statuses": OutboxMessage.Status.choices,
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
