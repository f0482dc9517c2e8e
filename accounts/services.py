"""Every change to an account: sign-up, profile, and what administrators do (each one audited)."""

from allauth.account.forms import default_token_generator
from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.core import context as allauth_context
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from accounts import handoff
from accounts.cuit import normalize_cuit
from accounts.models import AccountAuditEntry, Company, Role, User

Action = AccountAuditEntry.Action


# --- What an administrator may do (templates and services ask the same functions) --------------------


def can_manage_accounts(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_administrator)


def can_change_role(actor, target):
    """An administrator may not change their own role: the last one could lock everybody out."""
    return can_manage_accounts(actor) and actor.pk != target.pk


def can_deactivate(actor, target):
    return can_manage_accounts(actor) and actor.pk != target.pk and target.is_active


def can_reactivate(actor, target):
    return can_manage_accounts(actor) and not target.is_active


def can_send_password_reset(actor, target):
    """Only to an active account: a deactivated one could not log in with its new password anyway."""
    return can_manage_accounts(actor) and target.is_active


def _require(allowed):
    if not allowed:
        raise PermissionDenied


# --- Audit -----------------------------------------------------------------------------------------------


def record(*, actor, target, action, **detail):
    """Write one audit line: who did what to whom, now."""
    return AccountAuditEntry.objects.create(actor=actor, target=target, action=action, detail=detail)


# --- Sign-up and profile -------------------------------------------------------------------------------------


def company_for_cuit(cuit, name):
    """The company with this CUIT (however typed), created with `name` if new; an existing one keeps its name."""
    cuit = normalize_cuit(cuit)
    company = Company.objects.filter(cuit=cuit).first()
    if company:
        return company
    try:
        with transaction.atomic():  # a savepoint: another sign-up may create the same CUIT at the same moment
            return Company.objects.create(cuit=cuit, name=name.strip())
    except IntegrityError:
        return Company.objects.get(cuit=cuit)


def fill_new_client(user, *, full_name, phone, company_name, cuit):
    """Give a user being signed up their client data and company (the caller saves the user)."""
    user.full_name = full_name.strip()
    user.phone = phone
    user.role = Role.CLIENT
    user.company = company_for_cuit(cuit, company_name)
    return user


def update_profile(user, *, full_name, phone):
    """Change what a user may change about themselves: their name and phone."""
    user.full_name = full_name.strip()
    user.phone = phone
    user.save(update_fields=["full_name", "phone"])
    return user


# --- Administrators' actions ---------------------------------------------------------------------------------


@transaction.atomic
def change_role(target, role, *, by, reassign_to=None):
    """Make the user a client, operator or administrator; a client keeps no topics. Open requests the user
    can no longer act on go to `reassign_to` or back to Nuevo (accounts.handoff). Returns a HandOff."""
    _require(can_change_role(by, target))
    role = Role(role)
    if target.role == role:
        return handoff.HandOff()
    before = target.role
    target.role = role
    target.save(update_fields=["role"])
    record(actor=by, target=target, action=Action.ROLE_CHANGED, before=before, after=role.value)
    if role == Role.CLIENT:
        # `topics` is the reverse side of topics.Topic.operators: accounts does not import topics.
        names = sorted(target.topics.values_list("name", flat=True))
        if names:
            target.topics.clear()
            record(actor=by, target=target, action=Action.TOPICS_CHANGED, removed=names, added=[])
    return handoff.hand_off([target], by=by, reassign_to=reassign_to)


@transaction.atomic
def deactivate(target, *, by, reassign_to=None):
    """Turn the account off: it cannot log in, and its open sessions stop working on their next request.
    Its open requests go to `reassign_to` or back to Nuevo (accounts.handoff). Returns a HandOff."""
    _require(can_deactivate(by, target))
    User.objects.filter(pk=target.pk).update(is_active=False)
    target.is_active = False
    record(actor=by, target=target, action=Action.DEACTIVATED)
    return handoff.hand_off([target], by=by, reassign_to=reassign_to)


@transaction.atomic
def reactivate(target, *, by):
    """Let a deactivated account log in again."""
    _require(can_reactivate(by, target))
    User.objects.filter(pk=target.pk).update(is_active=True)
    target.is_active = True
    record(actor=by, target=target, action=Action.REACTIVATED)
    return target


@transaction.atomic
def send_password_reset(target, *, by, request):
    """Email the user allauth's one-time reset link; the administrator never sees or chooses a password."""
    _require(can_send_password_reset(by, target))
    with allauth_context.request_context(request):
        request_password_reset(request, target.email, [target], default_token_generator)
    record(actor=by, target=target, action=Action.PASSWORD_RESET_SENT, email=target.email)
