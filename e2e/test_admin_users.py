"""An administrator's users pages: find a client by CUIT, reset their password, change an operator's role and topics."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import AccountAuditEntry, Company
from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow, open_menu, screenshot
from mail.models import OutboxMessage
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def mail_through_the_outbox(settings):
    from mail import outbox

    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbox._broker_paused_until = 0.0
    cache.clear()


@pytest.fixture
def admin():
    return verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))


def go_to_users(page):
    page.goto("/")
    open_menu(page)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Usuarios").click()
    expect(page.get_by_role("heading", level=1, name="Usuarios")).to_be_visible()


def test_an_administrator_resets_a_clients_password_without_seeing_it(page, log_in, admin):
    espiga = Company.objects.create(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    valeria = verified(ClientFactory(
        email="valeria.acosta@espiga.com.ar", full_name="Valeria Acosta", company=espiga, phone="+541143215678",
    ))
    ClientFactory(email="otro@example.com", full_name="Otro Cliente")
    log_in(admin)

    go_to_users(page)
    page.get_by_role("search").get_by_label("Buscar").fill("30718765435")
    page.get_by_role("search").get_by_role("button", name="Buscar").click()
    expect(page.get_by_text("1 persona")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Otro Cliente")
    assert_no_horizontal_overflow(page)
    screenshot(page, "search")

    page.get_by_role("link", name="Valeria Acosta").click()
    expect(page.get_by_role("heading", level=1, name="Valeria Acosta")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("011 4321-5678")
    page.get_by_role("button", name="Restablecer contraseña").click()

    expect(page.get_by_role("alert")).to_contain_text("Le enviamos a valeria.acosta@espiga.com.ar un enlace")
    registro = page.get_by_role("region", name="Registro de cambios")
    expect(registro).to_contain_text("Envió un enlace para restablecer la contraseña a valeria.acosta@espiga.com.ar")
    expect(registro).to_contain_text("Laura Fernández")
    expect(page.locator("input[type=password]")).to_have_count(0)
    assert_no_horizontal_overflow(page)
    assert_csp_ready(page, page.url)
    screenshot(page, "reset-sent")

    message = OutboxMessage.objects.get(to=[valeria.email])
    assert "Elegí una contraseña nueva" in message.subject
    assert re.search(r"/accounts/password/reset/key/\S+/", message.body)
    assert AccountAuditEntry.objects.get().actor == admin


def test_an_administrator_makes_a_client_an_operator_and_gives_them_topics(page, log_in, admin):
    soporte = TopicFactory(name="Soporte técnico")
    TopicFactory(name="Facturación")
    jorge = ClientFactory(full_name="Jorge Pereyra", email="jorge@example.com")
    log_in(admin)

    go_to_users(page)
    page.get_by_role("link", name="Jorge Pereyra").click()
    page.get_by_label("Rol").select_option(label="Operador")
    page.get_by_role("button", name="Cambiar rol").click()
    expect(page.get_by_role("alert")).to_contain_text("Jorge Pereyra ahora es operador")

    page.get_by_role("link", name="Elegir temáticas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Temáticas de Jorge Pereyra")
    page.get_by_label("Soporte técnico").check()
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="Guardar temáticas").click()

    temáticas = page.get_by_role("region", name="Temáticas que atiende")
    expect(temáticas).to_contain_text("Soporte técnico")
    registro = page.get_by_role("region", name="Registro de cambios")
    expect(registro).to_contain_text("Cambió el rol de Cliente a Operador")
    expect(registro).to_contain_text("Cambió las temáticas: agregó Soporte técnico")
    assert list(jorge.topics.all()) == [soporte]
    assert_no_horizontal_overflow(page)
    screenshot(page, "operator")


def test_an_administrator_deactivates_an_operator(page, log_in, admin):
    operator = OperatorFactory(full_name="Diego Sánchez")
    log_in(admin)

    page.goto(f"/usuarios/{operator.pk}/")
    page.get_by_role("button", name="Desactivar cuenta").click()

    expect(page.get_by_role("alert")).to_contain_text("Desactivaste la cuenta de Diego Sánchez")
    expect(page.get_by_role("main").get_by_text("Desactivada", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Reactivar cuenta")).to_be_visible()
    expect(page.get_by_role("button", name="Restablecer contraseña")).to_have_count(0)
    operator.refresh_from_db()
    assert not operator.is_active
    assert_no_horizontal_overflow(page)
    screenshot(page)
