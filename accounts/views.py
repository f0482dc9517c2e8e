from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import handoff, outbox, selectors, services
from accounts.decorators import administrator_required
from accounts.forms import HandOffForm, ProfileForm, RoleForm, UserSearchForm
from accounts.models import OutboxMessage, User


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
    return render(request, "accounts/outbox.html", {
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
    return redirect("accounts:outbox")


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def outbox_test(request):
    outbox.send_test_message(request.user)
    messages.success(request, _("Te enviamos un correo de prueba a %(email)s.") % {"email": request.user.email})
    return redirect("accounts:outbox")


# --- Profile ---------------------------------------------------------------------------------------------


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(request.user, **form.cleaned_data)
        messages.success(request, _("Guardamos tus datos."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


# --- Administrators: users ------------------------------------------------------------------------------------

USERS_PER_PAGE = 25


@administrator_required
def user_list(request):
    search = UserSearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_valid() else {}
    users = selectors.search_users(**filters)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "accounts/user_list.html", {
        "search": search, "page": page, "query": query.urlencode(), "filtered": any(filters.values()),
    })


@administrator_required
def user_detail(request, pk):
    target = get_object_or_404(User.objects.select_related("company"), pk=pk)
    return _render_user_detail(request, target)


def _render_user_detail(request, target, *, role_form=None, deactivate_handoff=None, role_handoff=None):
    """The user's page; a refused form comes back with its errors next to its fields (status 400)."""
    return render(request, "accounts/user_detail.html", {
        "target": target,
        "role_form": role_form or RoleForm(initial={"role": target.role}),
        "held": handoff.held_by(target),
        "deactivate_handoff": deactivate_handoff or HandOffForm(prefix="desactivar", holder=target),
        "role_handoff": role_handoff or HandOffForm(prefix="rol", holder=target),
        "topics": target.topics.order_by("name"),  # the reverse side of topics.Topic.operators
        "audit": selectors.audit_trail(target),
        "may": {
            "change_role": services.can_change_role(request.user, target),
            "deactivate": services.can_deactivate(request.user, target),
            "reactivate": services.can_reactivate(request.user, target),
            "reset_password": services.can_send_password_reset(request.user, target),
        },
    }, status=400 if (role_form or deactivate_handoff or role_handoff) else 200)


def _say_done(request, text, result, reassign_to):
    messages.success(request, " ".join(filter(None, [text, handoff.describe(result, reassign_to)])))


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def user_role(request, pk):
    target = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST)
    handoff_form = HandOffForm(request.POST, prefix="rol", holder=target)
    if not services.can_change_role(request.user, target):
        messages.error(request, _("No se pudo cambiar el rol."))
        return redirect("accounts:user_detail", pk=target.pk)
    if not form.is_valid() or not handoff_form.is_valid():
        return _render_user_detail(request, target, role_form=form, role_handoff=handoff_form)
    before = target.role
    result = services.change_role(target, form.cleaned_data["role"], by=request.user,
                                  reassign_to=handoff_form.reassign_to)
    if target.role != before:
        _say_done(request, _("%(name)s ahora es %(role)s.") % {
            "name": target, "role": target.get_role_display().lower(),
        }, result, handoff_form.reassign_to)
    return redirect("accounts:user_detail", pk=target.pk)


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def user_deactivate(request, pk):
    target = get_object_or_404(User, pk=pk)
    if not services.can_deactivate(request.user, target):
        messages.error(request, _("No se puede desactivar esta cuenta."))
        return redirect("accounts:user_detail", pk=target.pk)
    handoff_form = HandOffForm(request.POST, prefix="desactivar", holder=target)
    if not handoff_form.is_valid():
        return _render_user_detail(request, target, deactivate_handoff=handoff_form)
    result = services.deactivate(target, by=request.user, reassign_to=handoff_form.reassign_to)
    _say_done(request, _("Desactivaste la cuenta de %(name)s: ya no puede ingresar.") % {"name": target},
              result, handoff_form.reassign_to)
    return redirect("accounts:user_detail", pk=target.pk)


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def user_reactivate(request, pk):
    target = get_object_or_404(User, pk=pk)
    if services.can_reactivate(request.user, target):
        services.reactivate(target, by=request.user)
        messages.success(request, _("Reactivaste la cuenta de %(name)s.") % {"name": target})
    return redirect("accounts:user_detail", pk=target.pk)


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def user_reset_password(request, pk):
    target = get_object_or_404(User, pk=pk)
    if services.can_send_password_reset(request.user, target):
        services.send_password_reset(target, by=request.user, request=request)
        messages.success(request, _(
            "Le enviamos a %(email)s un enlace para elegir una contraseña nueva. El enlace sirve una sola vez."
        ) % {"email": target.email})
    else:
        messages.error(request, _("Una cuenta desactivada no puede restablecer su contraseña."))
    return redirect("accounts:user_detail", pk=target.pk)
