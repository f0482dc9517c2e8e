
from allauth.account.utils import perform_login
from allauth.decorators import rate_limit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import handoff, membership, second_factor, selectors, services
from accounts.decorators import administrator_required
from accounts.forms import (
    AcceptInvitationForm,
    ChangeEmailByAdminForm,
    HandOffForm,
    ProfileForm,
    ResendVerificationForm,
    RoleForm,
    SignatureForm,
    UserSearchForm,
)
from accounts.models import AccountState, User

# --- Profile ---------------------------------------------------------------------------------------------


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(request.user, **form.cleaned_data)
        messages.success(request, _("Guardamos tus datos."))
        return redirect("accounts:profile")
    return _render_profile(request, form=form)


def _render_profile(request, *, form=None, signature_form=None, status=200):
    if signature_form is None and request.user.is_operator:
        signature_form = SignatureForm(user=request.user)
    return render(request, "accounts/profile.html", {
        "form": form or ProfileForm(user=request.user), "signature_form": signature_form}, status=status)


@login_required
@require_POST
def profile_signature(request):
    """Operators and administrators: the signature added under their public answers (tickets.services)."""
    if not request.user.is_operator:
        raise Http404
    form = SignatureForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_profile(request, signature_form=form, status=400)
    services.update_signature(request.user, signature=form.cleaned_data["signature"])
    messages.success(request, _("Guardamos tu firma. Va en tus próximas respuestas; las enviadas quedan como "
                                "estaban."))
    return redirect(reverse("accounts:profile") + "#firma")


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
    target = get_object_or_404(User.objects.with_state().select_related("company"), pk=pk)
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
        "pending_email": selectors.pending_email_change(target),
        "has_second_factor": second_factor.has_second_factor(target),
        "may": {
            "change_role": services.can_change_role(request.user, target),
            "deactivate": services.can_deactivate(request.user, target),
            "reactivate": services.can_reactivate(request.user, target),
            "reset_password": services.can_send_password_reset(request.user, target),
            "resend_invitation": services.can_resend_invitation(request.user, target),
            "edit": services.can_edit_details(request.user, target),
            "decide_membership": membership.can_decide_membership(request.user, target),
            "resend_verification": services.can_resend_verification(request.user, target),
            "reset_second_factor": second_factor.can_reset_second_factor(request.user, target),
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


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def user_resend_invitation(request, pk):
    target = get_object_or_404(User, pk=pk)
    if services.can_resend_invitation(request.user, target):
        services.resend_invitation(target, by=request.user)
        messages.success(request, _(
            "Le volvimos a enviar la invitación a %(email)s, con un enlace nuevo."
        ) % {"email": target.email})
    else:
        messages.error(request, _("Esta cuenta ya no tiene una invitación pendiente."))
    return redirect("accounts:user_detail", pk=target.pk)


# --- Administrators: a person's name, phone and address -----------------------------------------------------


@administrator_required
def user_edit(request, pk):
    """Name and phone (this form) and the address (user_email) of anyone, from one page."""
    target = get_object_or_404(User, pk=pk)
    form = ProfileForm(request.POST or None, user=target)
    if request.method == "POST" and form.is_valid():
        changes = services.update_details(target, **form.cleaned_data, by=request.user)
        if changes:
            messages.success(request, _("Guardaste los datos de %(name)s.") % {"name": target})
        else:
            messages.info(request, _("No cambiaste nada."))
        return redirect("accounts:user_detail", pk=target.pk)
    return _render_user_edit(request, target, details_form=form,
                             status=400 if request.method == "POST" else 200)


def _render_user_edit(request, target, *, details_form=None, email_form=None, status=200):
    return render(request, "accounts/user_edit.html", {
        "target": target,
        "details_form": details_form or ProfileForm(user=target),
        "email_form": email_form or ChangeEmailByAdminForm(user=target),
        "pending_email": selectors.pending_email_change(target),
        "may_change_email": services.can_change_email(request.user, target),
    }, status=status)


EMAIL_CHANGE_MESSAGES = {
    services.EmailChange.CONFIRMATION_SENT: gettext_lazy(
        "Le enviamos un enlace a %(email)s. El correo cambia cuando lo abra; hasta entonces sigue ingresando "
        "con %(old)s."),
    services.EmailChange.INVITATION_SENT: gettext_lazy(
        "Cambiaste el correo a %(email)s y le enviamos la invitación ahí. Los enlaces enviados a %(old)s ya no "
        "sirven."),
    services.EmailChange.REPLACED: gettext_lazy(
        "Cambiaste el correo a %(email)s y le enviamos un enlace para confirmarlo."),
}


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def user_email(request, pk):
    target = get_object_or_404(User, pk=pk)
    if not services.can_change_email(request.user, target):
        messages.error(request, _("No se puede cambiar el correo de esta cuenta desde acá."))
        return redirect("accounts:user_edit", pk=target.pk)
    form = ChangeEmailByAdminForm(request.POST, user=target)
    old = target.email
    if form.is_valid():
        try:
            result = services.change_email(target, form.cleaned_data["email"], by=request.user, request=request)
        except ValidationError as error:  # taken between the form's check and the write
            form.add_error(None, error)
        else:
            messages.success(request, EMAIL_CHANGE_MESSAGES[result] % {"email": form.cleaned_data["email"],
                                                                      "old": old})
            return redirect("accounts:user_detail", pk=target.pk)
    return _render_user_edit(request, target, email_form=form, status=400)


# --- The invitation link ----------------------------------------------------------------------------------------

INVITATION_SESSION_KEY = "_invitation_key"
INVITATION_FORM_KEY = "elegir-contrasena"  # the link's key, once it is kept in the session


@rate_limit(action="reset_password_from_key")  # the same limit per client address as allauth's reset link
@never_cache
def accept_invitation(request, uidb36, key):
    """The invitation link: choose a password, which also verifies the address, and land logged in.

    As allauth does with its reset links, the key moves from the address to the session on the first visit
    (a redirect), so it never leaks in a Referer header. Someone else logged in on this browser is logged out
    first: the page acts on the invitee's account only.
    """
    if key != INVITATION_FORM_KEY:
        invitee = services.invitee_for_link(uidb36, key)
        if invitee is None:
            return _invitation_link_invalid(request)
        if request.user.is_authenticated and request.user.pk != invitee.pk:
            logout(request)
        request.session[INVITATION_SESSION_KEY] = key
        return redirect("accounts:accept_invitation", uidb36=uidb36, key=INVITATION_FORM_KEY)
    key = request.session.get(INVITATION_SESSION_KEY, "")
    invitee = services.invitee_for_link(uidb36, key)
    if invitee is None:
        return _invitation_link_invalid(request)
    form = AcceptInvitationForm(request.POST or None, user=invitee, temp_key=key)
    if request.method == "POST" and form.is_valid():
        try:
            invitee = services.accept_invitation(invitee, key=key, password=form.cleaned_data["password1"])
        except services.InvitationLinkInvalid:
            return _invitation_link_invalid(request)
        request.session.pop(INVITATION_SESSION_KEY, None)
        # allauth logs them in (its signals, its "Hola, …" message) and sends them to their trays.
        return perform_login(request, invitee, redirect_url=reverse("home"), email=invitee.email)
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitee": invitee},
                  status=400 if request.method == "POST" else 200)


def _invitation_link_invalid(request):
    """Used, expired or not ours: one page that says what to do, and nothing about the account (a page like
    allauth's for a reset link that no longer works)."""
    return render(request, "accounts/invitation_invalid.html")


# --- The verification email, again ----------------------------------------------------------------------------

VERIFICATION_LIMITED = gettext_lazy(
    "Ya enviamos un correo de verificación a esa dirección hace muy poco. Esperá unos minutos y revisá la "
    "carpeta de correo no deseado antes de pedir otro.")


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def user_resend_verification(request, pk):
    target = get_object_or_404(User, pk=pk)
    if not services.can_resend_verification(request.user, target):
        messages.error(request, _("Esta cuenta ya verificó su correo."))
    elif services.resend_verification(target, by=request.user, request=request):
        messages.success(request, _("Le volvimos a enviar el correo de verificación a %(email)s.") % {
            "email": target.email})
    else:
        messages.error(request, VERIFICATION_LIMITED)
    return redirect("accounts:user_detail", pk=target.pk)


@rate_limit(action="resend_verification")  # per client address (ACCOUNT_RATE_LIMITS)
def resend_verification(request):
    """The person asks for the verification email again, by address. The answer is the same whether or not
    an account waits on that address (no enumeration); the per-address limit counts every address typed."""
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        target = User.objects.filter(email__iexact=email, is_active=True).first()
        waiting = target is not None and target.account_state == AccountState.UNVERIFIED
        if waiting:
            sent = services.send_verification(target, request=request)
        else:
            from allauth.account.internal.flows.email_verification import consume_email_verification_rate_limit

            sent = consume_email_verification_rate_limit(request, email)
        if not sent:
            form.add_error("email", VERIFICATION_LIMITED)
        else:
            messages.success(request, _(
                "Si hay una cuenta sin verificar con %(email)s, le enviamos el enlace de nuevo. Revisá también "
                "la carpeta de correo no deseado.") % {"email": email})
            return redirect("account_login")
    return render(request, "account/resend_verification.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


# --- Two-factor sign-in: an administrator takes away someone's lost second factor ------------------------------


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def user_reset_second_factor(request, pk):
    target = get_object_or_404(User, pk=pk)
    if second_factor.can_reset_second_factor(request.user, target):
        second_factor.reset_second_factor(target, by=request.user)
        messages.success(request, _(
            "Quitaste la verificación en dos pasos de %(name)s: ingresa con su contraseña y la vuelve a "
            "configurar. Le avisamos por correo.") % {"name": target})
    else:
        messages.info(request, _("Esta cuenta no tiene verificación en dos pasos."))
    return redirect("accounts:user_detail", pk=target.pk)
