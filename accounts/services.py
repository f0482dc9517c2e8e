"""Every change to an account: sign-up, profile, invitations, and what administrators do (each one audited)."""

from datetime import timedelta
from enum import Enum

from allauth.account.forms import EmailAwarePasswordResetTokenGenerator, default_token_generator
from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.models import EmailAddress
from allauth.account.utils import url_str_to_user_pk, user_pk_to_url_str
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import handoff, membership, selectors
from accounts.cuit import normalize_cuit
from accounts.models import STAFF_ROLES, AccountAuditEntry, Company, Role, User
from mail import outbox

Action = AccountAuditEntry.Action

EMAIL_TAKEN = _("Ya hay una cuenta con ese correo electrónico.")


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
    """Only to an active account: a deactivated one could not log in with its new password anyway. A pending
    invitation gets the invitation again instead (can_resend_invitation)."""
    return can_manage_accounts(actor) and target.is_active and not target.invitation_pending


def can_invite(actor):
    return can_manage_accounts(actor)


def can_resend_invitation(actor, target):
    """Only while the invitation waits (no password chosen yet) and the account is on."""
    return can_manage_accounts(actor) and target.is_active and target.invitation_pending


def can_edit_details(actor, target):
    return can_manage_accounts(actor)


def can_change_email(actor, target):
    """Not their own: people change their own address from Mi perfil, where allauth asks for the password."""
    return can_manage_accounts(actor) and actor.pk != target.pk and target.is_active


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
    """Give a user being signed up their client data and company (the caller saves the user). They belong to
    it once their address is verified and, unless they are its first member, the company's contact or an
    administrator accepts them (accounts.membership)."""
    user.full_name = full_name.strip()
    user.phone = phone
    user.role = Role.CLIENT
    return membership.join_on_signup(user, company_for_cuit(cuit, company_name), company_name)


def update_profile(user, *, full_name, phone):
    """Change what a user may change about themselves: their name and phone."""
    user.full_name = full_name.strip()
    user.phone = phone
    user.save(update_fields=["full_name", "phone"])
    return user


def update_signature(user, *, signature):
    """An operator's or administrator's signature, added under their public answers from now on (the ones
    already sent keep the signature they had: tickets.services copies it into each message)."""
    user.signature = signature.strip()
    user.save(update_fields=["signature"])
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


@transaction.atomic
def update_details(target, *, full_name, phone, by):
    """An administrator changes a person's name and phone (E.164 or ""). Writes one DETAILS_CHANGED line
    with what changed, before and after; returns that dict ({} when nothing changed, and no line)."""
    _require(can_edit_details(by, target))
    full_name = full_name.strip()
    changes = {}
    if full_name != target.full_name:
        changes["full_name"] = [target.full_name, full_name]
    if phone != target.phone:
        changes["phone"] = [target.phone, phone]
    if changes:
        target.full_name, target.phone = full_name, phone
        target.save(update_fields=["full_name", "phone"])
        record(actor=by, target=target, action=Action.DETAILS_CHANGED, **changes)
    return changes


# --- Verification email -----------------------------------------------------------------------------------


def can_resend_verification(actor, target):
    """While the account has never proved its address (Sin verificar) and is on; invitations have their own."""
    from accounts.models import AccountState

    return can_manage_accounts(actor) and target.account_state == AccountState.UNVERIFIED


def send_verification(target, *, request):
    """Send allauth's confirmation link to the account's address again, within allauth's "confirm_email" limit
    per address (ACCOUNT_RATE_LIMITS: one every 3 minutes). Returns False, sending nothing, when limited.
    The earlier links keep working until the address is verified."""
    from allauth.account.internal.flows.email_verification import consume_email_verification_rate_limit

    address = EmailAddress.objects.filter(user=target, email__iexact=target.email).first()
    if address is None:
        address = EmailAddress.objects.create(user=target, email=target.email, primary=True, verified=False)
    if address.verified or not consume_email_verification_rate_limit(request, address.email):
        return False
    with allauth_context.request_context(request):
        address.send_confirmation(request)
    return True


@transaction.atomic
def resend_verification(target, *, by, request):
    """An administrator sends the verification email again. Returns False when rate-limited (nothing sent,
    nothing written). Writes VERIFICATION_SENT."""
    _require(can_resend_verification(by, target))
    if not send_verification(target, request=request):
        return False
    record(actor=by, target=target, action=Action.VERIFICATION_SENT, email=target.email)
    return True


# --- Invitations -------------------------------------------------------------------------------------------
# Staff do not sign up: an administrator invites them (topics.services.invite_staff, which also gives them
# their topics; topics imports accounts, never the reverse). The invitation email carries a one-time link to
# choose a password, which also proves the address.


class InvitationTokenGenerator(EmailAwarePasswordResetTokenGenerator):
    """allauth's password-reset token with a salt of its own (so a reset link is not an invitation nor the
    other way round). It works once: it hashes the password, which following it sets, the last login and the
    account's addresses. It expires after Django's PASSWORD_RESET_TIMEOUT (3 days unless set)."""

    key_salt = "sysmo.accounts.services.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


class InvitationLinkInvalid(Exception):
    """The invitation link was used already, expired, or its account was deactivated or changed address."""


def invitation_url(invitee):
    """The invitation link: SITE_URL, the user's id in base 36 and a fresh token (allauth's reset key shape)."""
    key = invitation_tokens.make_token(invitee)
    return outbox.absolute_url("accounts:accept_invitation", uidb36=user_pk_to_url_str(invitee), key=key)


def _check_unused(email, *, except_user=None):
    if selectors.email_taken(email, except_user=except_user):
        raise ValidationError({"email": EMAIL_TAKEN}, code="email_taken")


@transaction.atomic
def create_invited_user(*, email, full_name, role, phone="", by):
    """A new operator or administrator for `email`, with no password (unusable) and an unverified address:
    both come with the invitation link (send_invitation). No CUIT and no company: staff belong to none.
    Their emails go in the inviting administrator's language until they choose theirs. Writes the INVITED
    line. Raises ValidationError({"email": …}) if another account uses the address (whatever its capitals),
    ValidationError({"role": …}) for a role other than operator or administrator."""
    _require(can_invite(by))
    role = Role(role)
    if role not in STAFF_ROLES:
        raise ValidationError({"role": _("Solo se invita a operadores y administradores.")}, code="role")
    return _invited_account(email=email, full_name=full_name, role=role, phone=phone, by=by)


def can_create_client(actor):
    """Staff filing a request for someone who phoned, wrote or came in may create them as a client."""
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_operator)


@transaction.atomic
def create_invited_client(*, email, full_name, company, phone="", by):
    """A new client of `company` (a Company), created by staff filing a request on their behalf (issue 13):
    the same account an invitation makes (no password, address unverified, INVITED line with role client),
    so send_invitation gives them the link to choose a password, which also proves the address. Raises
    PermissionDenied unless `by` is active staff, ValidationError({"email": …}) if the address is in use."""
    _require(can_create_client(by))
    return _invited_account(email=email, full_name=full_name, role=Role.CLIENT, phone=phone, by=by,
                            company=company)


def _invited_account(*, email, full_name, role, phone, by, company=None):
    email = User.objects.normalize_email(email.strip()).lower()
    _check_unused(email)
    try:
        with transaction.atomic():  # a savepoint: another person may invite the same address now
            invitee = User.objects.create_user(
                email, password=None, full_name=full_name.strip(), phone=phone, role=role, company=company,
                language=getattr(by, "language", "") or settings.LANGUAGE_CODE, invited_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError({"email": EMAIL_TAKEN}, code="email_taken") from None
    EmailAddress.objects.create(user=invitee, email=invitee.email, primary=True, verified=False)
    record(actor=by, target=invitee, action=Action.INVITED, email=invitee.email, role=role.value)
    return invitee


def send_invitation(invitee, *, by):
    """Queue the invitation email (templates/email/invitation_*) in the invitee's language: who invites them,
    as what, to which topics (a client created while filing their request: that their account was made for
    them), and the link, which works once and says when it expires."""
    expires_at = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    # `topics` is the reverse side of topics.Topic.operators: accounts does not import topics.
    topics = list(invitee.topics.order_by("name").values_list("name", flat=True))
    return outbox.send_templated(invitee, "invitation", {
        "inviter": by, "invitee": invitee, "topics": topics, "link": invitation_url(invitee),
        "expires_at": expires_at,
    })


@transaction.atomic
def resend_invitation(target, *, by):
    """Send the invitation again, with a new link (the earlier ones keep working until used or expired)."""
    _require(can_resend_invitation(by, target))
    send_invitation(target, by=by)
    record(actor=by, target=target, action=Action.INVITATION_RESENT, email=target.email)


def invitee_for_link(uidb36, key):
    """The person an invitation link is for, or None when it is not one of ours, was used (a password was
    chosen), expired, or its account was deactivated or given another address since."""
    try:
        pk = url_str_to_user_pk(uidb36)
    except (ValueError, OverflowError, ValidationError):
        return None
    invitee = User.objects.filter(pk=pk).first()
    if invitee is None or not invitee.is_active or not invitee.invitation_pending:
        return None
    return invitee if invitation_tokens.check_token(invitee, key) else None


@transaction.atomic
def accept_invitation(invitee, *, key, password):
    """The invitee chose their password through the link: set it and mark their address verified (the link
    reached it, so it is theirs). The link stops working (the token hashes the password). Their emails now go
    in the language they accepted in. Writes INVITATION_ACCEPTED, by the invitee. Raises InvitationLinkInvalid
    if the link no longer works (two tabs sending the form at once: the second finds it used)."""
    invitee = User.objects.select_for_update().filter(pk=invitee.pk).first()
    if invitee is None or not invitee.is_active or not invitee.invitation_pending:
        raise InvitationLinkInvalid
    if not invitation_tokens.check_token(invitee, key):
        raise InvitationLinkInvalid
    invitee.set_password(password)
    invitee.language = translation.get_language() or settings.LANGUAGE_CODE
    invitee.save(update_fields=["password", "language"])
    EmailAddress.objects.filter(user=invitee).exclude(email=invitee.email).delete()
    EmailAddress.objects.update_or_create(user=invitee, email=invitee.email,
                                          defaults={"verified": True, "primary": True})
    record(actor=invitee, target=invitee, action=Action.INVITATION_ACCEPTED)
    return invitee


# --- Changing someone's address --------------------------------------------------------------------------


class EmailChange(Enum):
    """What change_email did, so the page can say it."""

    CONFIRMATION_SENT = "confirmation_sent"  # the new address must confirm; the old one works until then
    INVITATION_SENT = "invitation_sent"  # a pending invitation went to the corrected address
    REPLACED = "replaced"  # an address never proved was replaced; the new one got its confirmation link


@transaction.atomic
def change_email(target, email, *, by, request):
    """An administrator changes a person's address. Returns an EmailChange.

    An address the person proved (verified) changes the way allauth changes it when people do it themselves
    (ACCOUNT_CHANGE_EMAIL): the new one waits, unverified, for the link we send to it; when it is followed the
    new address replaces the old one and the old one is told (AccountAdapter.send_notification_mail); until
    then the person keeps logging in with the old one. Writes EMAIL_CHANGE_REQUESTED.

    An address never proved (an invitation not accepted yet, a sign-up never confirmed) is replaced at once:
    nobody could log in with it. The new one gets the invitation again, or its confirmation link; the links
    sent to the old one stop working (their tokens hash the address). Writes EMAIL_CHANGED.

    Raises ValidationError({"email": …}) if another account uses the address or it is the current one.
    """
    _require(can_change_email(by, target))
    email = User.objects.normalize_email(email.strip()).lower()
    if email == target.email.lower():
        raise ValidationError({"email": _("Ese ya es su correo electrónico.")}, code="same_email")
    _check_unused(email, except_user=target)
    before = target.email
    current = EmailAddress.objects.filter(user=target, email__iexact=target.email).first()
    with allauth_context.request_context(request):
        if current is not None and current.verified:
            if not current.primary:
                current.set_as_primary()
            address = EmailAddress.objects.add_new_email(request, target, email, send_verification=False)
            address.send_confirmation(request)
            record(actor=by, target=target, action=Action.EMAIL_CHANGE_REQUESTED, before=before, after=email)
            return EmailChange.CONFIRMATION_SENT
        EmailAddress.objects.filter(user=target).delete()
        target.email = email
        try:
            with transaction.atomic():
                target.save(update_fields=["email"])
        except IntegrityError:
            raise ValidationError({"email": EMAIL_TAKEN}, code="email_taken") from None
        address = EmailAddress.objects.create(user=target, email=email, primary=True, verified=False)
        record(actor=by, target=target, action=Action.EMAIL_CHANGED, before=before, after=email)
        if target.invitation_pending:
            send_invitation(target, by=by)
            return EmailChange.INVITATION_SENT
        address.send_confirmation(request)
        return EmailChange.REPLACED
