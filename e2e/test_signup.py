"""Signing up: a wrong CUIT, the fix, the verification email from the outbox, logging in, changing the password."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import Company, User
from e2e.helpers import assert_no_horizontal_overflow, open_menu, screenshot
from mail.models import OutboxMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "medialunas-de-manteca-24"
NEW_PASSWORD = "vigilantes-y-bolas-de-fraile-7"
EMAIL = "ana.martinez@panaderia.com.ar"


@pytest.fixture(autouse=True)
def mail_through_the_outbox(settings):
    """As in production: every email is a row of the outbox, delivered after commit (here to memory)."""
    from mail import outbox

    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbox._broker_paused_until = 0.0
    cache.clear()  # allauth's rate limits live in the cache


def exactly(label):
    """A field's label as crispy renders it, with the asterisk of a required field."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def fill_signup(page, cuit):
    main = page.get_by_role("main")
    main.get_by_label("Correo electrónico").fill(EMAIL)
    main.get_by_label("Nombre de la empresa").fill("Panadería La Espiga S.R.L.")
    main.get_by_label("CUIT").fill(cuit)
    main.get_by_label("Nombre y apellido").fill("Ana Martínez")
    main.get_by_label("Teléfono de contacto").fill("011 4321-5678")
    main.get_by_label(exactly("Contraseña")).fill(PASSWORD)
    main.get_by_label("Repetí la contraseña").fill(PASSWORD)
    main.get_by_role("button", name="Registrarse").click()


def log_in_with_form(page, password):
    main = page.get_by_role("main")
    main.get_by_label("Correo electrónico").fill(EMAIL.upper())
    main.get_by_label("Contraseña").fill(password)
    main.get_by_role("button", name="Ingresar").click()


def test_sign_up_verify_log_in_and_change_the_password(page):
    page.goto("/")
    open_menu(page)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Registrarse").click()
    expect(page.get_by_role("heading", level=1, name="Registrarse")).to_be_visible()

    # A CUIT with a wrong check digit: the error is next to the field, nothing is created.
    fill_signup(page, "30-71876543-6")
    cuit = page.get_by_role("main").get_by_label("CUIT")
    expect(cuit).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_cuit")).to_contain_text("el dígito verificador no corresponde")
    assert User.objects.count() == Company.objects.count() == OutboxMessage.objects.count() == 0
    assert_no_horizontal_overflow(page)
    screenshot(page, "wrong-cuit")

    # Fixed, typed without dashes: the account waits for its email to be confirmed.
    fill_signup(page, "30718765435")
    expect(page.get_by_role("heading", level=1, name="Confirmá tu correo")).to_be_visible()
    assert Company.objects.get().cuit == "30-71876543-5"
    assert_no_horizontal_overflow(page)
    screenshot(page, "verification-sent")

    # Not yet: logging in only sends the link again.
    page.goto("/accounts/login/")
    log_in_with_form(page, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Confirmá tu correo")).to_be_visible()

    # The verification email, read from the outbox.
    message = OutboxMessage.objects.filter(to=[EMAIL]).order_by("id").first()
    assert message.status == OutboxMessage.Status.SENT
    assert "Confirmá tu correo electrónico" in message.subject
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("main")).to_contain_text(EMAIL)
    assert_no_horizontal_overflow(page)
    screenshot(page, "confirm")
    page.get_by_role("main").get_by_role("button", name="Confirmar").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    log_in_with_form(page, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Solicitudes")).to_be_visible()

    # Change the password from the profile.
    open_menu(page)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Mi perfil").first.click()
    expect(page.get_by_role("heading", level=1, name="Mi perfil")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("30-71876543-5")
    expect(page.get_by_role("main").get_by_label("Teléfono de contacto")).to_have_value("011 4321-5678")
    assert_no_horizontal_overflow(page)
    screenshot(page, "profile")
    page.get_by_role("main").get_by_role("link", name="Cambiar contraseña").click()
    main = page.get_by_role("main")
    main.get_by_label("Contraseña actual").fill(PASSWORD)
    main.get_by_label(exactly("Contraseña nueva")).fill(NEW_PASSWORD)
    main.get_by_label("Repetí la contraseña nueva").fill(NEW_PASSWORD)
    assert_no_horizontal_overflow(page)
    main.get_by_role("button", name="Cambiar contraseña").click()
    expect(page.get_by_role("alert").filter(has_text="Cambiaste tu contraseña")).to_be_visible()

    # Out and in again with the new one.
    open_menu(page)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("button", name="Salir").click()
    page.goto("/accounts/login/")
    log_in_with_form(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Solicitudes")).to_be_visible()
    assert User.objects.get().check_password(NEW_PASSWORD)
