"""Company membership in the browser: the contact confirms a colleague; an administrator finds a company, sees
who waits and the name they typed, renames it and changes its contact; staff see «sin confirmar»."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import Company
from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow, open_menu, screenshot
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


@pytest.fixture
def espiga():
    company = Company.objects.create(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    ana = verified(ClientFactory(email="ana@espiga.com.ar", full_name="Ana Martínez", company=company))
    Company.objects.filter(pk=company.pk).update(contact=ana)
    jorge = verified(ClientFactory(email="jorge@gmail.com", full_name="Jorge Pereyra", company=company,
                                   company_confirmed=False, company_name_given="La Espiga de Jorge"))
    company.refresh_from_db()
    return company, ana, jorge


def test_the_contact_confirms_a_colleague(page, log_in, espiga):
    company, ana, jorge = espiga
    log_in(ana)
    page.goto("/perfil/")
    page.get_by_role("link", name="Mi empresa").click()
    expect(page.get_by_role("heading", level=1, name="Panadería La Espiga S.R.L.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Jorge Pereyra")
    assert_no_horizontal_overflow(page)
    screenshot(page, "pending")
    assert_csp_ready(page, "/mi-empresa/")

    page.get_by_role("button", name="Confirmar Jorge Pereyra").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirmaste que Jorge Pereyra es de Panadería La Espiga")
    expect(page.get_by_role("main")).to_contain_text("Nadie espera tu confirmación.")
    jorge.refresh_from_db()
    assert not jorge.membership_pending


def test_an_administrator_manages_a_company_and_staff_see_it_unconfirmed(page, log_in, espiga):
    company, ana, jorge = espiga
    topic = TopicFactory(name="Facturación")
    TicketFactory(requester=jorge, company=company, topic=topic, subject="Factura de Jorge")
    admin = verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))
    log_in(admin)

    page.goto("/")
    expect(page.get_by_role("main")).to_contain_text("sin confirmar")
    page.get_by_role("link", name="Factura de Jorge").click()
    expect(page.locator(".ticket-facts")).to_contain_text("sin confirmar")

    open_menu(page)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Empresas").click()
    page.get_by_role("search").get_by_label("Buscar").fill("30718765435")
    page.get_by_role("search").get_by_role("button", name="Buscar").click()
    expect(page.get_by_text("1 empresa")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "list")
    page.get_by_role("link", name="Panadería La Espiga S.R.L.").click()
    expect(page.get_by_role("main")).to_contain_text("Escribió la empresa como «La Espiga de Jorge»")
    assert_no_horizontal_overflow(page)
    screenshot(page, "detail")
    assert_csp_ready(page, f"/empresas/{company.pk}/")

    page.get_by_label("Nombre de la empresa").fill("La Espiga SRL")
    page.get_by_role("button", name="Cambiar nombre").click()
    expect(page.get_by_role("alert")).to_contain_text("La empresa ahora se llama «La Espiga SRL».")
    page.get_by_role("combobox", name="Responsable").select_option(label="Jorge Pereyra · jorge@gmail.com")
    page.get_by_role("button", name="Cambiar responsable").click()
    expect(page.get_by_role("alert")).to_contain_text("Jorge Pereyra ahora es responsable de La Espiga SRL.")
    expect(page.get_by_role("main")).not_to_contain_text("sin confirmar")


def test_an_operator_has_no_companies_page(page, log_in):
    log_in(verified(OperatorFactory()))
    page.goto("/")
    expect(page.get_by_role("navigation", name="Navegación principal")).not_to_contain_text("Empresas")
    assert page.request.get("/empresas/").status == 404
