"""Two-factor sign-in in the browser: an administrator is made to set it up, then logs in with a code; a client
sees their open sessions and ends the others."""

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def code_for(secret):
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def log_in_by_form(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()


def test_an_administrator_must_set_up_a_second_factor_then_logs_in_with_it(page, settings, new_page):
    settings.MFA_REQUIRED_FOR_ADMINISTRATORS = True
    verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))
    log_in_by_form(page, "laura@demo.sysmo.ar")
    page.goto("/usuarios/")  # any page: sent to set up the second factor
    if "reauthenticate" in page.url:  # allauth may ask for the password again first
        page.get_by_label("Contraseña").fill(TEST_PASSWORD)
        page.locator("form button[type=submit]").last.click()
    expect(page.locator("#authenticator_secret")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "setup")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(code_for(secret))
    page.locator("form button[type=submit]").last.click()
    page.goto("/usuarios/")
    expect(page.get_by_role("heading", level=1, name="Usuarios")).to_be_visible()

    cache.clear()  # the code just used may not be used again: wait for the next one instead of racing it
    other = new_page("again")
    log_in_by_form(other, "laura@demo.sysmo.ar")
    expect(other.locator("input[name=code]")).to_be_visible()
    screenshot(other, "code")
    assert_no_horizontal_overflow(other)


def test_a_client_sees_their_sessions(page, new_page):
    verified(ClientFactory(email="ana@espiga.com.ar", full_name="Ana Martínez"))
    elsewhere = new_page("elsewhere")
    log_in_by_form(elsewhere, "ana@espiga.com.ar")
    log_in_by_form(page, "ana@espiga.com.ar")
    page.goto("/perfil/")
    page.get_by_role("link", name="Sesiones abiertas").click()
    assert_no_horizontal_overflow(page)
    screenshot(page, "sessions")
    page.locator("form button[type=submit]").last.click()
    elsewhere.goto("/perfil/")
    assert "/accounts/login/" in elsewhere.url
