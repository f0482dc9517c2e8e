"""Reads for the account pages: the administrators' user search, a user's audit trail, addresses in use."""

import re

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.cuit import normalize_cuit
from accounts.models import AccountAuditEntry, AccountState, Role, User

CUIT_TYPING = re.compile(r"^[\d\s.-]+$")


def cuit_condition(text, field="company__cuit"):
    """A CUIT typed with or without dashes or spaces: a whole one matches exactly, a part by its digits.
    `field` is the CUIT column as seen from the queryset's model."""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11:
        try:
            return Q(**{field: normalize_cuit(digits)})
        except ValidationError:  # not a valid CUIT: look for it as typed
            return Q(**{f"{field}__contains": text})
    if len(digits) >= 3 and CUIT_TYPING.match(text):
        # Stored as XX-XXXXXXXX-X: a run of digits is found within one of its three parts or across a dash.
        return Q(**{f"{field}__contains": text}) | Q(**{f"{field}__contains": _dashed_fragment(digits)})
    return Q()


def _dashed_fragment(digits):
    """Where a run of digits would sit in XX-XXXXXXXX-X when it starts at the beginning of the CUIT."""
    formatted = digits[:2]
    if len(digits) > 2:
        formatted += "-" + digits[2:10]
    if len(digits) > 10:
        formatted += "-" + digits[10:]
    return formatted


def search_users(q="", role="", status=""):
    """Users matching the administrators' search, by email, name, company or CUIT; newest first."""
    users = User.objects.with_state().select_related("company").order_by("-date_joined", "-id")
    text = (q or "").strip()
    if text:
        condition = (
            Q(email__icontains=text) | Q(full_name__icontains=text) | Q(company__name__icontains=text)
            | cuit_condition(text)
        )
        users = users.filter(condition)
    if role in Role.values:
        users = users.filter(role=role)
    if status == "pending":
        status = AccountState.INVITED
    if status in AccountState.values:
        users = users.in_state(status)
    return users


def audit_trail(user, limit=100):
    """The latest administrators' actions on this user, newest first, with who did them."""
    return list(AccountAuditEntry.objects.filter(target=user).select_related("actor").order_by("-at", "-id")[:limit])


def email_taken(email, *, except_user=None):
    """Whether another account uses this address, whatever its capitals: as its login, or as an address it
    proved (allauth's verified EmailAddress). A change another account has not confirmed yet does not count:
    whoever confirms first gets it (allauth refuses the second)."""
    email = (email or "").strip()
    users = User.objects.filter(email__iexact=email)
    addresses = EmailAddress.objects.filter(email__iexact=email, verified=True)
    if except_user is not None:
        users = users.exclude(pk=except_user.pk)
        addresses = addresses.exclude(user_id=except_user.pk)
    return users.exists() or addresses.exists()


def pending_email_change(user):
    """The address an administrator (or the person) asked to change to, waiting for its confirmation link
    (allauth's unverified EmailAddress), or None. An account that never proved its address has none: its
    address is replaced at once (accounts.services.change_email)."""
    return (
        EmailAddress.objects.filter(user_id=user.pk, verified=False).exclude(email__iexact=user.email)
        .order_by("-pk").first()
    )
