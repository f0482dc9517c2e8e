"""An anonymous visitor lands on the home page and switches the language."""

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import assert_no_horizontal_overflow, open_menu, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_landing_offers_sign_in_and_sign_up(page):
    page.goto("/")

    expect(page).to_have_title("Gestión de solicitudes para pymes · Sysmo Tickets")
    hero = page.get_by_role("region", name="Tus consultas y reclamos, atendidos de principio a fin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tus consultas y reclamos, atendidos de principio a fin")
    expect(hero).to_contain_text("Cargá tu solicitud")  # speaks to the client who arrives here
    expect(hero.get_by_role("link", name="Ingresar")).to_be_visible()
    expect(hero.get_by_role("link", name="Registrarse")).to_be_visible()
    for can_do in ("Cargá solicitudes", "Seguí cada paso", "Enterate por correo", "Desde cualquier dispositivo"):
        expect(page.get_by_role("heading", name=can_do)).to_be_visible()
    # Signing up or in, again at the end; the business gets one short line, not the page.
    cta = page.get_by_role("region", name="¿Tenés una consulta o un reclamo?")
    expect(cta.get_by_role("link", name="Crear mi cuenta")).to_be_visible()
    expect(cta.get_by_role("link", name="Ingresar")).to_be_visible()
    expect(page.locator(".business-note")).to_contain_text("Para las empresas que atienden")
    expect(page.get_by_role("main")).not_to_contain_text("Comentario interno")  # not the staff's side
    assert_no_horizontal_overflow(page)
    screenshot(page)

    nav = page.get_by_role("navigation", name="Navegación principal")
    if page.test_name.endswith("[phone]"):
        expect(nav.get_by_role("link", name="Ingresar")).to_be_hidden()
    open_menu(page)
    expect(nav.get_by_role("link", name="Ingresar")).to_be_visible()
    expect(nav.get_by_role("link", name="Registrarse")).to_be_visible()
    assert_no_horizontal_overflow(page)

    hero.get_by_role("link", name="Ingresar").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", level=1, name="Ingresar")).to_be_visible()


def test_language_switch_without_javascript_turns_the_page_to_english(page):
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "es-ar")

    open_menu(page)
    english = page.get_by_role("button", name="English")
    expect(english).to_have_attribute("aria-pressed", "false")
    english.click()

    expect(html).to_have_attribute("lang", "en")
    assert page.url.endswith("/")
    open_menu(page)
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    assert_no_horizontal_overflow(page)
    screenshot(page, "en")

    page.get_by_role("button", name="Español (Argentina)").click()
    expect(html).to_have_attribute("lang", "es-ar")
