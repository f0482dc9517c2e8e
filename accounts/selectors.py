"""Reads for the account pages: the administrators' user search and a user's audit trail."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.cuit import normalize_cuit
from accounts.models import AccountAuditEntry, Role, User

CUIT_TYPING = re.compile(r"^[\d\s.-]+$")


def _cuit_condition(text):
    """A CUIT typed with or without dashes or spaces: a whole one matches exactly, a part by its digits."""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11:
        try:
            return Q(company__cuit=normalize_cuit(digits))
        except ValidationError:  # not a valid CUIT: look for it as typed
            return Q(company__cuit__contains=text)
    if len(digits) >= 3 and CUIT_TYPING.match(text):
        # Stored as XX-XXXXXXXX-X: a run of digits is found within one of its three parts or across a dash.
        return Q(company__cuit__contains=text) | Q(company__cuit__contains=_dashed_fragment(digits))
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
    users = User.objects.select_related("company").order_by("-date_joined", "-id")
    text = (q or "").strip()
    if text:
        condition = (
            Q(email__icontains=text) | Q(full_name__icontains=text) | Q(company__name__icontains=text)
            | _cuit_condition(text)
        )
        users = users.filter(condition)
    if role in Role.values:
        users = users.filter(role=role)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return users


def audit_trail(user, limit=100):
    """The latest administrators' actions on this user, newest first, with who did them."""
    return list(AccountAuditEntry.objects.filter(target=user).select_related("actor").order_by("-at", "-id")[:limit])
