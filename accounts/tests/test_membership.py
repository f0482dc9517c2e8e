"""Company membership is confirmed (issue 17): a CUIT typed at sign-up does not make anybody a member."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AccountAuditEntry, Company, User
from accounts.tests.factories import AdminFactory, ClientFactory, CompanyFactory, OperatorFactory, verified
from tickets.models import Ticket
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")
PASSWORD = "mate-con-facturas-1987"
CUIT = "30-71876543-5"


def sign_up(client, email, company_name="Panadería La Espiga S.R.L.", full_name="Ana Martínez"):
    mail.outbox.clear()
    response = client.post(SIGNUP, {
        "email": email, "company_name": company_name, "cuit": CUIT.replace("-", ""), "full_name": full_name,
        "phone": "011 4321-5678", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302
    return User.objects.get(email=email)


def confirm_address(client, user):
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    mail.outbox.clear()
    assert client.post(link.split("testserver", 1)[1]).status_code == 302
    user.refresh_from_db()
    return user


@pytest.fixture
def company_with_contact(client):
    """Ana signed up first with the CUIT and verified her address: she is its contact."""
    ana = confirm_address(client, sign_up(client, "ana@espiga.com.ar"))
    client.logout()
    return ana.company, ana


def test_the_first_verified_member_of_a_cuit_becomes_its_contact(client):
    ana = sign_up(client, "ana@espiga.com.ar")
    assert ana.membership_pending  # unverified: nobody yet

    ana = confirm_address(client, ana)

    assert not ana.membership_pending
    assert Company.objects.get(cuit=CUIT).contact == ana
    assert AccountAuditEntry.objects.filter(target=ana, action="became_contact").exists()


def test_a_later_sign_up_with_the_cuit_is_pending_its_name_is_kept_and_the_contact_is_told(
        client, company_with_contact):
    company, ana = company_with_contact
    jorge = sign_up(client, "jorge@gmail.com", company_name="La Espiga de Jorge", full_name="Jorge Pereyra")

    assert jorge.company == company and jorge.membership_pending
    assert jorge.company_name_given == "La Espiga de Jorge"
    company.refresh_from_db()
    assert company.name == "Panadería La Espiga S.R.L."  # the stored name is not replaced

    jorge = confirm_address(client, jorge)

    assert jorge.membership_pending  # verified, still waiting for Ana
    [notice] = mail.outbox
    assert notice.to == ["ana@espiga.com.ar"]
    assert "Jorge Pereyra" in notice.subject
    assert reverse("accounts:my_company") in notice.body


def test_the_same_name_typed_differently_is_not_flagged(client, company_with_contact):
    jorge = sign_up(client, "jorge@gmail.com", company_name="  panaderia la espiga SRL ")
    assert jorge.company_name_given == "panaderia la espiga SRL"  # "S.R.L." vs "SRL" differs: kept
    luis = sign_up(client, "luis@gmail.com", company_name="PANADERÍA LA ESPIGA S.R.L.")
    assert luis.company_name_given == ""


def test_the_contact_accepts_from_their_page(client, company_with_contact):
    company, ana = company_with_contact
    jorge = confirm_address(client, sign_up(client, "jorge@gmail.com", full_name="Jorge Pereyra"))
    client.force_login(ana)

    page = client.get(reverse("accounts:my_company"))
    assert page.status_code == 200
    assert "Jorge Pereyra" in page.content.decode()

    response = client.post(reverse("accounts:member_accept", args=[jorge.pk]))
    assert response.url == reverse("accounts:my_company")
    jorge.refresh_from_db()
    assert not jorge.membership_pending
    entry = AccountAuditEntry.objects.get(target=jorge, action="member_accepted")
    assert entry.actor == ana

    again = client.post(reverse("accounts:member_accept", args=[jorge.pk]))
    assert again.status_code == 404  # nothing left to decide


def test_the_contact_refuses_and_the_person_keeps_their_requests_without_the_company(client, company_with_contact):
    company, ana = company_with_contact
    jorge = confirm_address(client, sign_up(client, "jorge@gmail.com"))
    ticket = TicketFactory(requester=jorge, company=company)
    client.force_login(ana)

    client.post(reverse("accounts:member_refuse", args=[jorge.pk]))

    jorge.refresh_from_db()
    assert jorge.company is None and not jorge.membership_pending
    ticket.refresh_from_db()
    assert ticket.company is None
    assert Ticket.objects.visible_to(jorge).filter(pk=ticket.pk).exists()
    assert AccountAuditEntry.objects.filter(target=jorge, action="member_refused", actor=ana).exists()


def test_an_administrator_overrides_from_the_companys_page(client, company_with_contact):
    company, ana = company_with_contact
    jorge = confirm_address(client, sign_up(client, "jorge@gmail.com", company_name="Otra cosa"))
    admin = AdminFactory()
    client.force_login(admin)

    page = client.get(reverse("accounts:company_detail", args=[company.pk])).content.decode()
    assert "Otra cosa" in page and "sin confirmar" in page

    response = client.post(reverse("accounts:member_accept", args=[jorge.pk]))
    assert response.url == reverse("accounts:company_detail", args=[company.pk])
    jorge.refresh_from_db()
    assert not jorge.membership_pending


def wrong_side(company, ana, pending):
    other_company = CompanyFactory()
    other_contact = ClientFactory(company=other_company)
    Company.objects.filter(pk=other_company.pk).update(contact=other_contact)
    return {
        "the pending person": pending,
        "a confirmed colleague who is not the contact": ClientFactory(company=company),
        "the contact of another company": other_contact,
        "an operator": OperatorFactory(),
        "a deactivated contact": ana,
    }


@pytest.mark.parametrize("who", ["the pending person", "a confirmed colleague who is not the contact",
                                 "the contact of another company", "an operator", "a deactivated contact"])
@pytest.mark.parametrize("url_name", ["accounts:member_accept", "accounts:member_refuse"])
def test_nobody_else_decides(client, company_with_contact, who, url_name):
    company, ana = company_with_contact
    jorge = confirm_address(client, sign_up(client, "jorge@gmail.com"))
    person = wrong_side(company, ana, jorge)[who]
    if who == "a deactivated contact":
        User.objects.filter(pk=ana.pk).update(is_active=False)
        person.refresh_from_db()
    client.force_login(person)

    response = client.post(reverse(url_name, args=[jorge.pk]))
    if who == "a deactivated contact":  # their session no longer counts: sent to log in
        assert response.status_code == 302 and reverse("account_login") in response.url
    else:
        assert response.status_code == 404
    jorge.refresh_from_db()
    assert jorge.membership_pending and jorge.company == company


@pytest.mark.parametrize("who", ["the pending person", "a confirmed colleague who is not the contact",
                                 "an operator"])
def test_only_the_contact_has_a_company_page(client, company_with_contact, who):
    company, ana = company_with_contact
    jorge = confirm_address(client, sign_up(client, "jorge@gmail.com"))
    client.force_login(wrong_side(company, ana, jorge)[who])
    assert client.get(reverse("accounts:my_company")).status_code == 404


def test_anonymous_is_sent_to_log_in(client):
    response = client.post(reverse("accounts:member_accept", args=[1]))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_a_pending_member_files_and_follows_requests_and_staff_see_the_company_unconfirmed(
        client, company_with_contact):
    company, ana = company_with_contact
    jorge = verified(confirm_address(client, sign_up(client, "jorge@gmail.com")))
    topic = TopicFactory(name="Facturación")
    operator = OperatorFactory()
    topic.operators.add(operator)
    colleague_ticket = TicketFactory(requester=ana, company=company, subject="Pedido de Ana")
    client.force_login(jorge)

    response = client.post(reverse("tickets:create"), {"topic": topic.pk, "subject": "No imprime",
                                                        "description": "La impresora no responde."})
    assert response.status_code == 302
    ticket = Ticket.objects.get(requester=jorge)
    assert ticket.company == company
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "No imprime" in page and "sin confirmar" not in page  # the client is not told the staff's note
    inbox = client.get(reverse("tickets:inbox")).content.decode()
    assert "Pedido de Ana" not in inbox
    assert client.get(colleague_ticket.get_absolute_url()).status_code == 404

    client.force_login(operator)
    assert "sin confirmar" in client.get(ticket.get_absolute_url()).content.decode()
    assert "sin confirmar" in client.get(reverse("tickets:inbox")).content.decode()
    assert "sin confirmar" not in client.get(colleague_ticket.get_absolute_url()).content.decode()


# --- Empresas (administrators) -------------------------------------------------------------------------------


@pytest.fixture
def companies(db):
    espiga = CompanyFactory(name="Panadería La Espiga S.R.L.", cuit=CUIT)
    rios = CompanyFactory(name="Estudio Contable Ríos")
    ana = ClientFactory(company=espiga, full_name="Ana Martínez")
    Company.objects.filter(pk=espiga.pk).update(contact=ana)
    ClientFactory(company=espiga, company_confirmed=False, full_name="Jorge Pereyra")
    ClientFactory(company=rios)
    return espiga, rios


@pytest.mark.parametrize(("q", "expected"), [
    ("", ["Estudio Contable Ríos", "Panadería La Espiga S.R.L."]),
    ("espiga", ["Panadería La Espiga S.R.L."]),
    ("30718765435", ["Panadería La Espiga S.R.L."]),
    ("30-71876543-5", ["Panadería La Espiga S.R.L."]),
    ("71876543", ["Panadería La Espiga S.R.L."]),
    ("nada que ver", []),
])
def test_the_companies_list_searches_by_name_or_cuit(client, companies, q, expected):
    client.force_login(AdminFactory())
    page = client.get(reverse("accounts:company_list"), {"q": q})
    assert [company.name for company in page.context["page"].object_list] == expected


def test_the_companies_list_shows_contact_members_and_pending_in_a_fixed_number_of_queries(
        client, companies, django_assert_max_num_queries):
    admin = AdminFactory()
    client.force_login(admin)
    client.get(reverse("accounts:company_list"))
    for _ in range(5):
        CompanyFactory()
    with django_assert_max_num_queries(8):
        page = client.get(reverse("accounts:company_list"))
    espiga = next(c for c in page.context["page"].object_list if c.cuit == CUIT)
    assert (espiga.contact.full_name, espiga.members, espiga.pending) == ("Ana Martínez", 2, 1)


def test_a_companys_page_reads_its_people_in_a_fixed_number_of_queries(client, companies,
                                                                       django_assert_max_num_queries):
    espiga, _rios = companies
    client.force_login(AdminFactory())
    client.get(reverse("accounts:company_detail", args=[espiga.pk]))
    for _ in range(5):
        ClientFactory(company=espiga)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("accounts:company_detail", args=[espiga.pk]))
    assert len(page.context["members"]) == 7


def test_an_administrator_renames_a_company_and_changes_its_contact(client, companies):
    espiga, _rios = companies
    jorge = User.objects.get(full_name="Jorge Pereyra")
    client.force_login(AdminFactory())

    response = client.post(reverse("accounts:company_rename", args=[espiga.pk]), {"name": "La Espiga SRL"})
    assert response.status_code == 302
    response = client.post(reverse("accounts:company_contact", args=[espiga.pk]), {"contact": jorge.pk})
    assert response.status_code == 302

    espiga.refresh_from_db()
    jorge.refresh_from_db()
    assert espiga.name == "La Espiga SRL" and espiga.contact == jorge
    assert not jorge.membership_pending  # naming them contact confirms them
    assert AccountAuditEntry.objects.filter(action="contact_changed", target=jorge).exists()


@pytest.mark.parametrize(("url_name", "data", "error"), [
    ("accounts:company_rename", {"name": "   "}, "Escribí el nombre de la empresa."),
    ("accounts:company_contact", {"contact": "999999"}, "Elegí una persona de la lista."),
])
def test_bad_input_says_so_and_changes_nothing(client, companies, url_name, data, error):
    espiga, rios = companies
    outsider = ClientFactory(company=rios)
    client.force_login(AdminFactory())
    if url_name == "accounts:company_contact" and data["contact"] == "999999":
        data = {"contact": outsider.pk}  # a person of another company is not on the list
    response = client.post(reverse(url_name, args=[espiga.pk]), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    espiga.refresh_from_db()
    assert espiga.name == "Panadería La Espiga S.R.L." and espiga.contact.full_name == "Ana Martínez"


@pytest.mark.parametrize("who", ["client", "operator", "contact"])
@pytest.mark.parametrize(("method", "url_name"), [
    ("get", "accounts:company_list"), ("get", "accounts:company_detail"),
    ("post", "accounts:company_rename"), ("post", "accounts:company_contact"),
])
def test_the_companies_pages_are_for_administrators_only(client, companies, who, method, url_name):
    espiga, _rios = companies
    espiga.refresh_from_db()
    person = {"client": lambda: ClientFactory(), "operator": lambda: OperatorFactory(),
              "contact": lambda: espiga.contact}[who]()
    client.force_login(person)
    args = [] if url_name == "accounts:company_list" else [espiga.pk]
    response = getattr(client, method)(reverse(url_name, args=args), {"name": "Robada", "contact": person.pk})
    assert response.status_code == 404
    espiga.refresh_from_db()
    assert espiga.name == "Panadería La Espiga S.R.L."
