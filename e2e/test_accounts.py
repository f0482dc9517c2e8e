"""Signing in, and allauth's pages inside our layout."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import User
from e2e.helpers import assert_no_horizontal_overflow, open_menu, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "una-clave-bien-larga-2026"
# Django's es_AR catalogue says "Email"; the project may override it with "Correo electrónico".
EMAIL_LABEL = re.compile(r"\b(Correo electrónico|Email)\b")


@pytest.fixture
def client_user():
    user = User.objects.create_user(
        email="maria.gomez@example.com", password=PASSWORD, full_name="María Gómez", role="client"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_log_in_with_email_and_password_lands_on_the_inbox(page, client_user):
    page.goto("/accounts/login/")
    expect(page).to_have_title("Ingresar · Sysmo Tickets")
    expect(page.get_by_role("heading", level=1, name="Ingresar")).to_be_visible()
    expect(page.get_by_role("link", name="¿Olvidaste tu contraseña?")).to_have_attribute(
        "href", "/accounts/password/reset/"
    )
    expect(page.get_by_role("link", name="Registrate")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "form")

    page.get_by_label(EMAIL_LABEL).fill("maria.gomez@example.com")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Ingresar").click()

    expect(page).to_have_url(re.compile(r"/solicitudes/$"))
    expect(page.get_by_role("heading", level=1, name="Solicitudes")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Hola, María Gómez")
    open_menu(page)
    nav = page.get_by_role("navigation", name="Navegación principal")
    expect(nav).to_contain_text("María Gómez · Cliente")
    expect(nav.get_by_role("button", name="Salir")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "inbox")

    nav.get_by_role("button", name="Salir").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tus consultas y reclamos, atendidos de principio a fin")
    expect(page.get_by_role("alert")).to_contain_text("Cerraste tu sesión")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_wrong_password_is_refused_with_a_message(page, client_user):
    page.goto("/solicitudes/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/solicitudes/$"))
    page.get_by_label(EMAIL_LABEL).fill("maria.gomez@example.com")
    page.get_by_label("Contraseña").fill("no-es-la-clave")
    page.get_by_role("main").get_by_role("button", name="Ingresar").click()

    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
    expect(page.get_by_role("main").locator("input[name=next]")).to_have_value("/solicitudes/")
    assert_no_horizontal_overflow(page)
    screenshot(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/signup/", "Registrarse"),
        ("/accounts/password/reset/", None),
        ("/accounts/confirm-email/", None),
    ],
    ids=["signup", "password-reset", "verification-sent"],
)
def test_account_pages_use_our_layout(page, path, heading):
    page.goto(path)

    expect(page.get_by_role("link", name="Sysmo Tickets")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_contain_text("Gestión de solicitudes para pymes")
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_be_visible()
    if heading:
        expect(h1).to_have_text(heading)
    assert_no_horizontal_overflow(page)
    screenshot(page)


def test_sign_out_page_uses_our_layout(page, log_in, client_user):
    log_in(client_user)
    page.goto("/accounts/logout/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page)
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_role("alert")).to_contain_text("Cerraste tu sesión")
    expect(page.get_by_role("main").get_by_role("link", name="Ingresar").first).to_be_visible()
