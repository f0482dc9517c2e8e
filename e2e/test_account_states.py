"""Account states in the browser: an administrator finds the accounts that never verified their address and
sends the verification again; too soon, the page says so. The person asks for it from the login page."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, open_menu, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def test_an_administrator_resends_the_verification_email(page, log_in):
    rita = ClientFactory(email="rita@example.com", full_name="Rita Requirente")
    EmailAddress.objects.create(user=rita, email=rita.email, primary=True, verified=False)
    verified(ClientFactory(full_name="Carla Verificada"))
    log_in(verified(AdminFactory(full_name="Laura Fernández")))
    page.goto("/")
    open_menu(page)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Usuarios").click()
    page.get_by_role("search").get_by_label("Cuentas").select_option(label="Sin verificar")
    page.get_by_role("search").get_by_role("button", name="Buscar").click()
    expect(page.get_by_text("1 persona")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Sin verificar")
    assert_no_horizontal_overflow(page)
    screenshot(page, "list")

    page.get_by_role("link", name="Rita Requirente").click()
    page.get_by_role("button", name="Reenviar verificación").click()
    expect(page.get_by_role("alert")).to_contain_text("Le volvimos a enviar el correo de verificación")
    page.get_by_role("button", name="Reenviar verificación").click()
    expect(page.get_by_role("alert")).to_contain_text("hace muy poco")
    assert_no_horizontal_overflow(page)
    screenshot(page, "limited")


def test_the_person_asks_again_from_the_login_page(page):
    rita = ClientFactory(email="rita@example.com")
    EmailAddress.objects.create(user=rita, email=rita.email, primary=True, verified=False)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="¿No te llegó el correo de verificación?").click()
    page.get_by_label("Correo electrónico").fill("rita@example.com")
    page.get_by_role("button", name="Enviarme el enlace").click()
    expect(page.get_by_role("alert")).to_contain_text("le enviamos el enlace de nuevo")
    assert_no_horizontal_overflow(page)
