"""Mis datos in the browser: a client reads the privacy page, downloads their data and asks for its deletion; an
administrator honours it and the person can no longer sign in."""

import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import AdminFactory, ClientFactory, verified
from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow, open_menu, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def test_a_client_downloads_their_data_and_an_administrator_deletes_it(page, log_in, new_page, live_server):
    ana = verified(ClientFactory(email="ana@espiga.com.ar", full_name="Ana Martínez"))
    log_in(ana)
    page.goto("/perfil/")
    open_menu(page)
    page.get_by_role("main").get_by_role("link", name="Mis datos").click()
    expect(page.get_by_role("heading", level=1, name="Mis datos")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "my-data")
    assert_csp_ready(page, "/mis-datos/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert json.loads(archive.read("perfil.json"))["correo"] == "ana@espiga.com.ar"

    page.get_by_role("button", name="Pedir que eliminen mis datos").click()
    expect(page.get_by_role("alert")).to_contain_text("Recibimos tu pedido")

    page.get_by_role("link", name="Cómo cuidamos tus datos").click()
    expect(page.get_by_role("heading", level=1, name="Tus datos y tu privacidad")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "privacy")

    admin_page = new_page("admin")
    admin = verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))
    session = Client()
    session.force_login(admin)
    admin_page.context.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value,
                                     "url": live_server.url}])
    admin_page.goto("/usuarios/")
    admin_page.get_by_role("link", name="Pedidos de eliminación").click()
    assert_no_horizontal_overflow(admin_page)
    screenshot(admin_page, "requests")
    # Erasing cannot be undone: the first button only asks.
    admin_page.locator("summary", has_text="Eliminar sus datos").click()
    expect(admin_page.get_by_text("¿Eliminar los datos personales de Ana Martínez?")).to_be_visible()
    assert User.objects.get(pk=ana.pk).full_name == "Ana Martínez"
    assert_no_horizontal_overflow(admin_page)
    screenshot(admin_page, "confirm-erase")
    admin_page.get_by_role("button", name="Sí, eliminarlos Ana Martínez").click()
    expect(admin_page.get_by_role("alert")).to_contain_text("Eliminaste los datos personales")
    assert User.objects.get(pk=ana.pk).full_name == "Usuario eliminado"
