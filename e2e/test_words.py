"""The words people read: Django's and allauth's own messages in the Spanish of Argentina (our corrections in
locale_overrides/), on the signup and password forms and on the two-step verification pages."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "pedro.gomez@ferreteria.com.ar"
LIKE_THE_EMAIL = "pedro.gomez@ferreteria"
SIMILAR = "La contraseña es muy parecida al correo electrónico."
# Spain's Spanish and "usted" that allauth's own catalogue would show.
NOT_OURS = re.compile(r"Su cuenta|¿Está seguro|Por favor|Ingrese|Utilice|doble factor|Descarga los", re.IGNORECASE)


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()  # allauth's rate limits live in the cache


def exactly(label):
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def test_a_password_like_the_email_is_refused_with_the_right_words(page, log_in):
    page.goto("/accounts/signup/")
    main = page.get_by_role("main")
    main.get_by_label("Correo electrónico").fill(EMAIL)
    main.get_by_label("Nombre de la empresa").fill("Ferretería Gómez")
    main.get_by_label("CUIT").fill("30-71876543-5")
    main.get_by_label("Nombre y apellido").fill("Pedro Gómez")
    main.get_by_label("Teléfono de contacto").fill("011 4321-5678")
    main.get_by_label(exactly("Contraseña")).fill(LIKE_THE_EMAIL)
    main.get_by_label("Repetí la contraseña").fill(LIKE_THE_EMAIL)
    main.get_by_role("button", name="Registrarse").click()
    expect(main.get_by_text(SIMILAR)).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "signup")

    log_in(verified(ClientFactory(email=EMAIL, full_name="Pedro Gómez")))
    page.goto("/accounts/password/change/")
    main.get_by_label("Contraseña actual").fill(TEST_PASSWORD)
    main.get_by_label(exactly("Contraseña nueva")).fill(LIKE_THE_EMAIL)
    main.get_by_label("Repetí la contraseña nueva").fill(LIKE_THE_EMAIL)
    main.get_by_role("button", name="Cambiar contraseña").click()
    expect(main.get_by_text(SIMILAR)).to_be_visible()
    screenshot(page, "password-change")


def test_the_two_step_verification_pages_speak_like_the_rest(page, log_in, new_page):
    client = verified(ClientFactory(email=EMAIL, full_name="Pedro Gómez"))
    log_in(client)
    page.goto("/accounts/2fa/")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Verificación en dos pasos")
    expect(main).to_contain_text("Todavía no activaste una app de autenticación.")
    expect(main).to_contain_text("Todavía no generaste códigos de recuperación.")
    assert not NOT_OURS.search(main.inner_text())
    screenshot(page, "index")

    # Someone with the second step set up is asked for the code when logging in, in the same words.
    admin = verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))
    TOTP.activate(admin, generate_totp_secret())
    other = new_page("code")
    other.goto("/accounts/login/")
    other.get_by_label("Correo electrónico").fill("laura@demo.sysmo.ar")
    other.get_by_label("Contraseña").fill(TEST_PASSWORD)
    other.get_by_role("button", name="Ingresar").click()
    main = other.get_by_role("main")
    expect(main).to_contain_text("Tu cuenta tiene verificación en dos pasos.")
    main.get_by_label("Código").fill("000000")
    main.get_by_role("button", name="Ingresar").click()
    expect(main).to_contain_text("El código no es correcto: revisalo y probá de nuevo.")
    assert not NOT_OURS.search(main.inner_text())
    assert_no_horizontal_overflow(other)
    screenshot(other)
