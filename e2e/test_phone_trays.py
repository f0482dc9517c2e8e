"""A tray on a 390×844 phone shows three requests on the first screen, for clients, operators and
administrators: search and filters fold behind «Buscar y filtrar (n)», the tabs are one row, the cards are
compact. On a desktop the search and filters stay in sight as before."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, CompanyFactory, OperatorFactory
from e2e.helpers import assert_no_horizontal_overflow, open_finder, screenshot
from tickets import search, tray_counts
from tickets.models import Priority, State, Ticket
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBJECTS = [
    "La impresora fiscal de la caja dos no imprime los tickets desde el lunes",
    "Factura duplicada de marzo",
    "Alta de una usuaria nueva en el sistema de gestión de stock",
    "No llegan los correos de las órdenes de compra",
    "Cambio de contraseña",
]

# The first three request cards, each fully inside the screen without scrolling.
FIRST_THREE = """() => [...document.querySelectorAll("table.data-table-tickets tbody tr")].slice(0, 3).map((row) => {
    const box = row.getBoundingClientRect();
    return {top: box.top, bottom: box.bottom, height: box.height, inside: box.top >= 0 && box.bottom <= innerHeight};
})"""


def make_desk():
    """Five open requests of a company's client, all assigned to one operator, some urgent or waiting."""
    operator = OperatorFactory(full_name="Martín Gómez")
    topic = TopicFactory(name="Soporte técnico", operators=[operator])
    company = CompanyFactory(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    client = ClientFactory(full_name="Ana Martínez Echeverría", company=company)
    now = timezone.now()
    for age, subject in enumerate(SUBJECTS):
        at = now - timedelta(hours=age + 1)
        TicketFactory(requester=client, topic=topic, subject=subject, state=State.IN_PROGRESS, assignee=operator,
                      taken_at=at, created_at=at, last_activity_at=at,
                      priority=Priority.URGENT if age == 0 else Priority.NORMAL,
                      waiting_since=at if age == 1 else None)
    search.refresh(Ticket.objects.values_list("pk", flat=True))
    tray_counts.rebuild()
    return client, operator


def assert_three_requests_on_first_screen(page):
    boxes = page.evaluate(FIRST_THREE)
    assert len(boxes) == 3 and all(box["inside"] for box in boxes), f"{page.url}: first three cards {boxes}"


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_phone_tray_shows_three_requests_on_the_first_screen(new_page, live_server):
    from django.test import Client

    client, operator = make_desk()
    for label, user in (("client", client), ("operator", operator), ("admin", AdminFactory(full_name="Laura Ríos"))):
        page = new_page(label)
        session = Client()
        session.force_login(user)
        page.context.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value,
                                   "url": live_server.url}])
        page.goto("/solicitudes/")
        toggle = page.locator("summary", has_text="Buscar y filtrar")
        expect(toggle).to_be_visible()
        expect(page.get_by_role("searchbox", name="Buscar")).to_be_hidden()
        # The tabs: one row, however many trays the person has.
        tabs = page.get_by_role("navigation", name="Bandejas").get_by_role("link")
        tops = {round(box["y"]) for box in (tab.bounding_box() for tab in tabs.all())}
        assert len(tops) == 1, f"{label}: the tabs wrap over several rows: {tops}"
        assert_three_requests_on_first_screen(page)
        assert_no_horizontal_overflow(page)  # the tabs scroll within their row, the page stays 390 px wide
        screenshot(page, "first-screen")

        # Searching opens the control; the list then shows it counts one search in use.
        open_finder(page)
        page.get_by_role("searchbox", name="Buscar").fill("factura")
        page.get_by_role("searchbox", name="Buscar").press("Enter")
        expect(page.get_by_role("row").filter(has=page.get_by_role("link"))).to_have_count(1)
        expect(toggle).to_have_text("Buscar y filtrar (1 en uso)")
        expect(page.get_by_role("searchbox", name="Buscar")).to_be_hidden()

    # The chosen tab is scrolled into its row, even the last one.
    page.goto("/solicitudes/?bandeja=realizadas")
    box = page.get_by_role("navigation", name="Bandejas").get_by_role("link", name="Realizadas por mí").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box

    # A refused filter keeps the control open, with its error in sight.
    page.goto("/solicitudes/?creada_desde=31/02/2026&estado=todos")
    expect(page.get_by_text("La fecha 31/02/2026 no existe: revisá el día y el mes.")).to_be_visible()
    expect(toggle).to_have_text("Buscar y filtrar (1 en uso)")
    screenshot(page, "refused-filter")


def test_the_desktop_tray_keeps_search_and_filters_in_sight(page, log_in, viewport):
    client, operator = make_desk()
    log_in(operator)
    page.goto("/solicitudes/")
    if viewport == "desktop":
        expect(page.locator("summary", has_text="Buscar y filtrar")).to_be_hidden()
        expect(page.get_by_role("searchbox", name="Buscar")).to_be_visible()
        expect(page.get_by_label("Estado")).to_be_visible()
        expect(page.get_by_label("Ordenar por")).to_be_visible()
    open_finder(page)
    page.get_by_label("Estado").select_option(label="Todos, también cerradas")
    page.locator("summary", has_text="Más filtros").click()
    page.get_by_label("Prioridad").select_option(label="Urgente")
    page.get_by_role("button", name="Aplicar filtros").click()
    rows = page.get_by_role("row").filter(has=page.get_by_role("link"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(SUBJECTS[0])
    expect(page.get_by_role("list", name="Filtros en uso")).to_contain_text("Prioridad: Urgente")
    if viewport == "desktop":
        expect(page.get_by_role("searchbox", name="Buscar")).to_be_visible()  # still in sight after filtering
    else:
        expect(page.locator("summary", has_text="Buscar y filtrar")).to_have_text("Buscar y filtrar (2 en uso)")
    assert_no_horizontal_overflow(page)
    screenshot(page)
