"""The trays: an operator searches and filters on a phone and a desktop; a client never finds internal text."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, CompanyFactory, OperatorFactory
from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow, open_finder, screenshot
from tickets import search, tray_counts
from tickets.models import State, Ticket
from tickets.tests.factories import InterventionFactory, TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def make_desk():
    """An operator of two topics, two client companies and a handful of requests in every state."""
    operator = OperatorFactory(full_name="Martín Gómez")
    support = TopicFactory(name="Soporte técnico", operators=[operator])
    billing = TopicFactory(name="Facturación", operators=[operator])
    bakery = CompanyFactory(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    studio = CompanyFactory(name="Estudio Contable Ríos")
    ana = ClientFactory(full_name="Ana Martínez", company=bakery)
    jorge = ClientFactory(full_name="Jorge Pereyra", company=studio)
    now = timezone.now()
    rows = [
        (ana, support, "La impresora de la caja no imprime", "Desde el lunes la impresora fiscal da error.",
         State.NEW, None),
        (ana, billing, "Factura duplicada de marzo", "Nos llegó dos veces la factura B.", State.IN_PROGRESS,
         operator),
        (jorge, support, "Gestión de usuarios del sistema", "Necesitamos dar de alta a una persona.",
         State.IN_PROGRESS, operator),
        (jorge, billing, "Consulta por el abono anual", "¿Cuándo vence el abono?", State.CLOSED, operator),
        (ana, support, "Cambio de contraseña", "No puedo entrar al sistema.", State.NEW, None),
    ]
    tickets = []
    for age, (requester, topic, subject, description, state, assignee) in enumerate(rows):
        at = now - timedelta(hours=age + 1)
        extra = {"closed_at": at, "closed_by": assignee} if state == State.CLOSED else {}
        tickets.append(TicketFactory(
            requester=requester, topic=topic, subject=subject, description=description, state=state,
            assignee=assignee, taken_at=at if assignee else None, created_at=at, last_activity_at=at, **extra,
        ))
    InterventionFactory(ticket=tickets[1], author=operator, internal=True,
                        body="Ojo: el cliente tiene deuda con contaduría (zapallito).")
    # Written by factories, not the services: index and count them as the services would have.
    search.refresh(Ticket.objects.values_list("pk", flat=True))
    tray_counts.rebuild()
    return operator, ana, tickets


def search_for(page, text):
    open_finder(page)
    box = page.get_by_role("searchbox", name="Buscar")
    box.fill(text)
    box.press("Enter")


def test_an_operator_searches_and_filters_the_trays(page, log_in):
    operator, _ana, tickets = make_desk()
    log_in(operator)
    page.goto("/solicitudes/")

    # Lands on "Asignadas a mí": the tabs say how many open requests each tray holds, which it lists.
    trays = page.get_by_role("navigation", name="Bandejas")
    expect(trays.get_by_role("link", name="Asignadas a mí 2 solicitudes")).to_have_attribute("aria-current", "page")
    expect(trays.get_by_role("link", name="Sin asignar 2 solicitudes")).to_be_visible()
    expect(trays.get_by_role("link", name="De mis temáticas 4 solicitudes")).to_be_visible()
    expect(trays.get_by_role("link", name="Realizadas por mí 0 solicitudes")).to_be_visible()
    rows = page.get_by_role("row").filter(has=page.get_by_role("link"))
    expect(rows).to_have_count(2)
    assert_no_horizontal_overflow(page)
    screenshot(page, "trays")

    # Search without accents and in the plural, in another tray.
    trays.get_by_role("link", name=re.compile("De mis temáticas")).click()
    expect(rows).to_have_count(4)
    search_for(page, "impresoras")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("La impresora de la caja no imprime")
    expect(page.get_by_role("status")).to_contain_text("para «impresoras»")
    search_for(page, "gestion")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Gestión de usuarios del sistema")
    search_for(page, "zapallito")  # in an internal comment: operators find it
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Factura duplicada de marzo")
    assert_no_horizontal_overflow(page)
    screenshot(page, "search")

    # Filters: state in sight, the rest behind "Más filtros"; the CUIT typed without dashes.
    open_finder(page)
    page.get_by_role("searchbox", name="Buscar").fill("")
    page.get_by_label("Estado").select_option(label="Abiertas")
    page.locator("summary", has_text="Más filtros").click()
    page.get_by_label("Temática").select_option(label="Soporte técnico")
    page.get_by_label("Empresa o CUIT").fill("30718765435")
    page.get_by_role("button", name="Aplicar filtros").click()
    expect(rows).to_have_count(2)
    for subject in ("La impresora de la caja no imprime", "Cambio de contraseña"):
        expect(rows.filter(has_text=subject)).to_have_count(1)
    assert re.search(r"estado=abiertas", page.url) and re.search(r"empresa=30718765435", page.url)
    chips = page.get_by_role("list", name="Filtros en uso")
    expect(chips).to_contain_text("Temática: Soporte técnico")
    expect(page.locator("details.inbox-more")).to_have_attribute("open", "")
    assert_no_horizontal_overflow(page)
    screenshot(page, "filters")

    # A chip takes its filter away; the ordering goes in the URL.
    chips.get_by_role("link", name=re.compile("Temática")).click()
    expect(rows).to_have_count(3)  # the bakery's open requests, of both topics
    open_finder(page)
    page.get_by_label("Ordenar por").select_option(label="Número más bajo")
    page.get_by_role("button", name="Buscar", exact=True).click()
    expect(rows.first).to_contain_text(f"#{tickets[0].number}")
    assert "orden=numero" in page.url

    # Nothing found: says so and offers the way back.
    search_for(page, "helicóptero")
    expect(page.get_by_role("heading", name="No encontramos solicitudes")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "empty")
    page.get_by_role("link", name="Quitar la búsqueda y los filtros").click()
    expect(rows).to_have_count(4)
    open_finder(page)
    page.get_by_label("Estado").select_option(label="Todos, también cerradas")
    page.get_by_role("button", name="Buscar", exact=True).click()
    expect(rows).to_have_count(5)

    # A bad date is explained next to its field; a typed number opens its request.
    page.goto("/solicitudes/?bandeja=tematicas&creada_desde=31/02/2026")
    expect(page.get_by_text("La fecha 31/02/2026 no existe: revisá el día y el mes.")).to_be_visible()
    expect(rows).to_have_count(4)
    assert_csp_ready(page, "/solicitudes/?bandeja=tematicas&q=impresora&estado=nuevo&creada_desde=31/02/2026")
    search_for(page, f"#{tickets[2].number}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gestión de usuarios del sistema")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_client_searches_only_what_they_can_read(page, log_in):
    _operator, ana, _tickets = make_desk()
    log_in(ana)
    page.goto("/solicitudes/")

    trays = page.get_by_role("navigation", name="Bandejas")
    expect(trays.get_by_role("link")).to_have_count(1)
    expect(trays.get_by_role("link", name="Realizadas por mí 3 solicitudes")).to_be_visible()
    search_for(page, "zapallito")
    expect(page.get_by_role("heading", name="No encontramos solicitudes")).to_be_visible()
    search_for(page, "factura")
    expect(page.get_by_role("row").filter(has=page.get_by_role("link"))).to_have_count(1)
    open_finder(page)
    page.locator("summary", has_text="Más filtros").click()
    expect(page.get_by_label("Empresa o CUIT")).to_have_count(0)
    assert_no_horizontal_overflow(page)
    screenshot(page, "client")
