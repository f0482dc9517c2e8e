"""Two-factor sign-in (issue 17) on top of allauth.mfa: TOTP apps and recovery codes.

allauth does the setting up (Mi perfil → Verificación en dos pasos, /accounts/2fa/), asks for the code at
login, counts wrong codes against ACCOUNT_RATE_LIMITS["login_failed"] per account, and lets each recovery code
work once. Here: administrators must have one when MFA_REQUIRED_FOR_ADMINISTRATORS (the middleware below), and
an administrator can take away someone else's lost second factor (audited, the person told by email).
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.models import AccountAuditEntry
from mail import outbox

# The pages an administrator without a second factor may still reach: setting one up, and leaving.
ALLOWED_WITHOUT_SECOND_FACTOR = {
    "mfa_index", "mfa_activate_totp", "mfa_reauthenticate", "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes", "mfa_download_recovery_codes", "account_reauthenticate", "account_logout",
    "set_language",
}


def has_second_factor(user):
    """Whether the person set up an authenticator app (recovery codes alone do not count)."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def second_factor_required(user):
    """Administrators, when MFA_REQUIRED_FOR_ADMINISTRATORS is on."""
    return bool(settings.MFA_REQUIRED_FOR_ADMINISTRATORS and getattr(user, "is_authenticated", False)
                and user.is_active and user.is_administrator)


class RequireSecondFactorMiddleware:
    """An administrator who has no second factor yet, when it is required, is sent to set one up from any
    page (a GET or a POST alike); nothing else is served to them until they do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if second_factor_required(user) and not self._allowed(request) and not has_second_factor(user):
            messages.warning(request, _(
                "Los administradores ingresan con verificación en dos pasos. Configurala con una app de "
                "autenticación (Google Authenticator, Authy, Microsoft Authenticator…) para seguir."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _allowed(request):
        if request.path.startswith((settings.STATIC_URL or "/static/", "/i18n/")):
            return True
        from django.urls import Resolver404, resolve

        try:
            return resolve(request.path_info).url_name in ALLOWED_WITHOUT_SECOND_FACTOR
        except Resolver404:
            return False


def can_reset_second_factor(actor, target):
    """Another person's, by an administrator, while they have one."""
    from accounts.services import can_manage_accounts

    return can_manage_accounts(actor) and actor.pk != target.pk and has_second_factor(target)


@transaction.atomic
def reset_second_factor(target, *, by):
    """Take away every authenticator of `target` (app, recovery codes): they log in with their password and
    set up a new one (an administrator must, before reaching any page). Writes MFA_RESET and tells the person
    by email. Raises PermissionDenied unless can_reset_second_factor."""
    if not can_reset_second_factor(by, target):
        raise PermissionDenied
    Authenticator.objects.filter(user=target).delete()
    AccountAuditEntry.objects.create(actor=by, target=target, action=AccountAuditEntry.Action.MFA_RESET)
    outbox.send_templated(target, "mfa_reset", {"by": by, "profile_url": outbox.absolute_url("mfa_index")})
