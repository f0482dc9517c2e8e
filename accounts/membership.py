"""Who belongs to a company: the one home of the membership rules (issue 17).

CUITs are public, so typing one at sign-up does not make anybody a member. The first person of a CUIT to
verify their address becomes the company's responsible contact (Company.contact) and a confirmed member.
Whoever signs up later with the same CUIT is "pendiente de confirmación" (User.company_confirmed False)
until the contact (from the email we send them, which opens their Empresa page) or an administrator accepts
or refuses them. Until then staff see the company marked «sin confirmar» on their requests; they file and
follow their own requests as usual, and see nobody else's (tickets: a client sees their own requests only).
A refused person stays a client with no company, and their requests stop naming it.

Each decision is a line of the person's Registro de cambios (AccountAuditEntry).
"""

import re
import unicodedata

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.models import AccountAuditEntry, Company, Role, User
from mail import outbox

Action = AccountAuditEntry.Action


# --- Who may decide ------------------------------------------------------------------------------------------


def _is_admin(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_administrator)


def can_manage_companies(actor):
    """The Empresas page: administrators only."""
    return _is_admin(actor)


def is_contact_of(actor, company):
    """An active, confirmed client who is the company's responsible contact."""
    return bool(
        company is not None and getattr(actor, "is_authenticated", False) and actor.is_active
        and actor.is_client and actor.company_id == company.pk and actor.company_confirmed
        and company.contact_id == actor.pk
    )


def can_decide_membership(actor, member):
    """Accept or refuse a pending member: an administrator, or their company's contact (not themselves)."""
    if not member.membership_pending or actor is None or getattr(actor, "pk", None) == member.pk:
        return False
    return _is_admin(actor) or is_contact_of(actor, member.company)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


class MembershipDecided(Exception):
    """The person was accepted or refused already (two tabs, two deciders): nothing was done."""


# --- Sign-up and verification ----------------------------------------------------------------------------------


def _same_name(a, b):
    """Company names compared as people read them: case, accents, punctuation and spacing aside."""
    def plain(text):
        text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().casefold()
        return " ".join(re.sub(r"[^\w]+", " ", text).split())
    return plain(a) == plain(b)


def join_on_signup(user, company, typed_name):
    """A sign-up with this company's CUIT: the user is pending until verified and accepted (the caller saves
    the user). A name typed differently from the stored one is kept for the administrators."""
    user.company = company
    user.company_confirmed = False
    user.company_name_given = "" if _same_name(typed_name, company.name) else typed_name.strip()[:200]
    return user


@transaction.atomic
def address_verified(user):
    """Called when a person proves their address. The first verified member of a company without a contact
    becomes its contact, confirmed; anyone else pending stays so, and the contact is told by email."""
    if user.company_id is None or user.company_confirmed or not user.is_client:
        return
    company = Company.objects.select_for_update().get(pk=user.company_id)
    user.company = company
    if company.contact_id is None:
        company.contact = user
        company.save(update_fields=["contact"])
        User.objects.filter(pk=user.pk).update(company_confirmed=True)
        user.company_confirmed = True
        AccountAuditEntry.objects.create(actor=user, target=user, action=Action.BECAME_CONTACT,
                                         detail={"company": company.name})
        return
    contact = company.contact
    if contact.is_active:
        outbox.send_templated(contact, "member_pending", {
            "member": user, "company": company, "link": outbox.absolute_url("accounts:my_company"),
        })


# --- Decisions ---------------------------------------------------------------------------------------------------


def _locked_pending(member):
    member = User.objects.select_for_update().get(pk=member.pk)
    if not member.membership_pending:
        raise MembershipDecided
    return member


@transaction.atomic
def accept(member, *, by):
    """Confirm that `member` belongs to their company. Raises PermissionDenied when `by` may not decide,
    MembershipDecided when somebody decided first."""
    member = _locked_pending(member)
    _require(can_decide_membership(by, member))
    member.company_confirmed = True
    member.save(update_fields=["company_confirmed"])
    AccountAuditEntry.objects.create(actor=by, target=member, action=Action.MEMBER_ACCEPTED,
                                     detail={"company": member.company.name})
    return member


@transaction.atomic
def refuse(member, *, by):
    """`member` does not belong to the company: they stay a client with no company, and their requests stop
    naming it. Raises like accept."""
    member = _locked_pending(member)
    _require(can_decide_membership(by, member))
    company = member.company
    # `requested_tickets` is the reverse side of tickets.Ticket.requester: accounts does not import tickets.
    member.requested_tickets.filter(company=company).update(company=None)
    member.company, member.company_confirmed, member.company_name_given = None, True, ""
    member.save(update_fields=["company", "company_confirmed", "company_name_given"])
    AccountAuditEntry.objects.create(actor=by, target=member, action=Action.MEMBER_REFUSED,
                                     detail={"company": company.name})
    return member


# --- Administrators: companies -------------------------------------------------------------------------------


@transaction.atomic
def rename(company, name, *, by):
    """Change the company's name; written on its contact's Registro de cambios (or nobody's if it has none).
    Returns True when the name changed."""
    _require(can_manage_companies(by))
    name = name.strip()
    if name == company.name:
        return False
    before, company.name = company.name, name
    company.save(update_fields=["name"])
    if company.contact_id:
        AccountAuditEntry.objects.create(actor=by, target_id=company.contact_id, action=Action.COMPANY_RENAMED,
                                         detail={"before": before, "after": name})
    return True


def contact_candidates(company):
    """Who may be the company's contact: its active members, accepted or not (naming a pending one accepts
    them)."""
    return company.users.filter(is_active=True, role=Role.CLIENT).order_by("full_name", "email")


@transaction.atomic
def change_contact(company, person, *, by):
    """Make `person` (one of contact_candidates) the company's contact, confirming them. Audited on them."""
    _require(can_manage_companies(by) and person.company_id == company.pk and person.is_active
                      and person.is_client)
    if company.contact_id == person.pk:
        return False
    company.contact = person
    company.save(update_fields=["contact"])
    if not person.company_confirmed:
        User.objects.filter(pk=person.pk).update(company_confirmed=True)
        person.company_confirmed = True
    AccountAuditEntry.objects.create(actor=by, target=person, action=Action.CONTACT_CHANGED,
                                     detail={"company": company.name})
    return True


# --- Reads ---------------------------------------------------------------------------------------------------


def search_companies(q=""):
    """Companies by name or CUIT (with or without dashes), by name, with their contact and how many members
    they have and how many wait for confirmation (one query)."""
    companies = Company.objects.select_related("contact").annotate(
        members=Count("users", filter=Q(users__role=Role.CLIENT)),
        pending=Count("users", filter=Q(users__role=Role.CLIENT, users__company_confirmed=False,
                                        users__is_active=True)),
    ).order_by("name", "pk")
    text = (q or "").strip()
    if text:
        companies = companies.filter(Q(name__icontains=text) | selectors.cuit_condition(text, field="cuit"))
    return companies


def members(company):
    """The company's people, pending first, then by name, each with what their state needs (one query)."""
    return list(company.users.with_state().order_by("company_confirmed", "full_name", "email"))


def confirmed_members(company):
    """The company's active, verified clients whose membership is confirmed (AccountState.ACTIVE), by name: who
    may be put in copy on its requests (tickets.services.add_colleague, issue 14). A queryset."""
    from accounts.models import AccountState

    if company is None:
        return User.objects.none()
    return (User.objects.filter(company=company, role=Role.CLIENT).in_state(AccountState.ACTIVE)
            .order_by("full_name", "email", "pk"))


def is_confirmed_member(person, company):
    """Whether `person` is a confirmed member of `company` now (the Python side of confirmed_members, without
    the address check: a person who may log in has proved it)."""
    return bool(company is not None and person is not None and person.is_active and person.is_client
                and person.company_id == company.pk and person.company_confirmed)


def pending_members(company):
    return list(company.users.filter(company_confirmed=False, is_active=True).order_by("date_joined", "pk"))


PENDING_LABEL = _("sin confirmar")
