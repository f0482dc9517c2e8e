"""Mis datos (each person), Pedidos de eliminación (administrators) and the privacy page (anyone)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import administrator_required
from privacy import services
from privacy.models import DeletionRequest


def privacy_page(request):
    return render(request, "privacy/privacy.html")


@login_required
def my_data(request):
    return render(request, "privacy/my_data.html", {"deletion": services.open_request(request.user)})


@login_required
@never_cache
def my_data_download(request):
    response = HttpResponse(services.export_zip(request.user), content_type="application/zip")
    day = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="mis-datos-sysmo-{day}.zip"'
    return response


@login_required
@require_POST
def my_data_delete(request):
    services.ask_deletion(request.user)
    messages.success(request, _(
        "Recibimos tu pedido. Un administrador lo va a cumplir y te vamos a dejar de tener registrado: no vas a "
        "poder volver a ingresar."))
    return redirect("privacy:my_data")


@administrator_required
def deletion_list(request):
    return render(request, "privacy/deletion_list.html", {"requests": services.pending_requests()})


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def deletion_honour(request, pk):
    deletion = get_object_or_404(DeletionRequest, pk=pk, honoured_at__isnull=True)
    if deletion.user_id == request.user.pk:
        raise Http404  # another administrator honours an administrator's own request
    services.erase(deletion, by=request.user)
    messages.success(request, _("Eliminaste los datos personales de la persona. Sus solicitudes quedan, a nombre "
                                "de «Usuario eliminado»."))
    return redirect("privacy:deletion_list")
