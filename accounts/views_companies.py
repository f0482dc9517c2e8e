"""The Empresas pages (administrators) and a company's contact's page (Mi empresa): accounts.membership."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import membership
from accounts.decorators import administrator_required
from accounts.forms import CompanyContactForm, CompanyRenameForm, CompanySearchForm
from accounts.models import Company, User

COMPANIES_PER_PAGE = 25


@administrator_required
def company_list(request):
    search = CompanySearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(membership.search_companies(q), COMPANIES_PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "accounts/company_list.html", {
        "search": search, "page": page, "query": query.urlencode(), "filtered": bool(q),
    })


@administrator_required
def company_detail(request, pk):
    company = get_object_or_404(Company.objects.select_related("contact"), pk=pk)
    return _render_company(request, company)


def _render_company(request, company, *, rename_form=None, contact_form=None):
    candidates = membership.contact_candidates(company)
    return render(request, "accounts/company_detail.html", {
        "company": company,
        "members": membership.members(company),
        "rename_form": rename_form or CompanyRenameForm(initial={"name": company.name}),
        "contact_form": contact_form or CompanyContactForm(candidates=candidates,
                                                           initial={"contact": company.contact_id}),
    }, status=400 if (rename_form or contact_form) else 200)


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def company_rename(request, pk):
    company = get_object_or_404(Company, pk=pk)
    form = CompanyRenameForm(request.POST)
    if not form.is_valid():
        return _render_company(request, company, rename_form=form)
    if membership.rename(company, form.cleaned_data["name"], by=request.user):
        messages.success(request, _("La empresa ahora se llama «%(name)s».") % {"name": company.name})
    else:
        messages.info(request, _("No cambiaste nada."))
    return redirect("accounts:company_detail", pk=company.pk)


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def company_contact(request, pk):
    company = get_object_or_404(Company, pk=pk)
    form = CompanyContactForm(request.POST, candidates=membership.contact_candidates(company))
    if not form.is_valid():
        return _render_company(request, company, contact_form=form)
    person = form.cleaned_data["contact"]
    if membership.change_contact(company, person, by=request.user):
        messages.success(request, _("%(name)s ahora es responsable de %(company)s.") % {
            "name": person, "company": company.name})
    else:
        messages.info(request, _("No cambiaste nada."))
    return redirect("accounts:company_detail", pk=company.pk)


@login_required
def my_company(request):
    """The contact's page: who else signed up with their CUIT, to accept or refuse. Nobody else's page."""
    company = request.user.company if request.user.company_id else None
    if not membership.is_contact_of(request.user, company):
        raise Http404
    return render(request, "accounts/my_company.html", {
        "company": company, "pending": membership.pending_members(company),
        "members": [m for m in membership.members(company) if m.company_confirmed and m.is_active],
    })


def _decide(request, pk, decide, done):
    member = get_object_or_404(User.objects.select_related("company"), pk=pk)
    if not membership.can_decide_membership(request.user, member):
        raise Http404
    company = member.company
    try:
        decide(member, by=request.user)
    except membership.MembershipDecided:
        messages.info(request, _("Alguien ya había decidido sobre %(name)s.") % {"name": member})
    else:
        messages.success(request, done % {"name": member, "company": company.name})
    if request.user.is_administrator:
        return redirect("accounts:company_detail", pk=company.pk)
    return redirect("accounts:my_company")


@login_required
@require_POST
def member_accept(request, pk):
    return _decide(request, pk, membership.accept, _("Confirmaste que %(name)s es de %(company)s."))


@login_required
@require_POST
def member_refuse(request, pk):
    return _decide(request, pk, membership.refuse, _(
        "Rechazaste a %(name)s: ya no figura como de %(company)s ni ve nada de la empresa."))
