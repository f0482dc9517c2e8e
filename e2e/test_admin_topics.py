"""An administrator's topics pages: create a topic with its operators, rename it, deactivate it."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, OperatorFactory
from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow, open_menu, screenshot
from topics.models import Topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_administrator_creates_renames_and_deactivates_a_topic(page, log_in):
    martin = OperatorFactory(full_name="Martín Gómez", email="martin@demo.sysmo.ar")
    OperatorFactory(full_name="Sofía Romero", email="sofia@demo.sysmo.ar")
    log_in(AdminFactory(full_name="Laura Fernández"))

    page.goto("/")
    open_menu(page)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Temáticas").click()
    expect(page.get_by_role("heading", level=1, name="Temáticas")).to_be_visible()
    expect(page.get_by_role("heading", name="Todavía no hay temáticas")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "empty")

    page.get_by_role("main").get_by_role("link", name="Nueva temática").first.click()
    page.get_by_label("Nombre").fill("Facturación")
    page.get_by_label("Descripción").fill("Facturas, notas de crédito y pagos.")
    page.get_by_label("Martín Gómez").check()
    assert_no_horizontal_overflow(page)
    screenshot(page, "form")
    page.get_by_role("button", name="Crear temática").click()

    expect(page.get_by_role("alert")).to_contain_text("Creaste la temática «Facturación»")
    row = page.get_by_role("row").filter(has_text="Facturación")
    expect(row).to_contain_text("Martín Gómez")
    expect(row).to_contain_text("Activa")
    assert_no_horizontal_overflow(page)
    assert_csp_ready(page, "/tematicas/")
    screenshot(page, "list")

    row.get_by_role("link", name="Facturación").click()
    page.get_by_label("Nombre").fill("Facturación y cobranzas")
    page.get_by_label("Sofía Romero").check()
    page.get_by_role("button", name="Guardar cambios").click()
    row = page.get_by_role("row").filter(has_text="Facturación y cobranzas")
    expect(row).to_contain_text("Sofía Romero")

    row.get_by_role("button", name="Desactivar").click()
    expect(page.get_by_role("alert")).to_contain_text("ya no recibe solicitudes nuevas")
    row = page.get_by_role("row").filter(has_text="Facturación y cobranzas")
    expect(row).to_contain_text("Inactiva")
    expect(row.get_by_role("button", name="Reactivar")).to_be_visible()
    topic = Topic.objects.get()
    assert not topic.is_active
    assert set(topic.operators.values_list("full_name", flat=True)) == {"Martín Gómez", "Sofía Romero"}
    assert martin.audit_entries.count() == 1
    assert_no_horizontal_overflow(page)
    screenshot(page, "deactivated")
