"""The inbox: empty, and with a request in each state; and a request's page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, CompanyFactory, OperatorFactory
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets.models import State
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def test_empty_inbox_says_what_to_do_next(page, log_in):
    log_in(ClientFactory(full_name="Lucía Fernández"))
    page.goto("/solicitudes/")

    expect(page.get_by_role("heading", level=1, name="Solicitudes")).to_be_visible()
    expect(page.get_by_role("heading", name="Todavía no hay solicitudes")).to_be_visible()
    expect(page.get_by_text("Cuando cargues tu primera solicitud")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page)


def test_inbox_shows_each_state_with_colour_and_text(page, log_in):
    admin = AdminFactory(full_name="María Gómez")
    operator = OperatorFactory(full_name="Juan Pérez")
    company = CompanyFactory(name="Ferretería Don Julio S.R.L.")
    requester = ClientFactory(full_name="Roberto Sánchez", company=company)
    billing = TopicFactory(name="Facturación")
    access = TopicFactory(name="Accesos y usuarios")
    when = datetime(2026, 3, 9, 14, 5, tzinfo=BUENOS_AIRES)
    new = TicketFactory(
        subject="No se emiten las facturas electrónicas del punto de venta 3 desde el lunes a la mañana",
        requester=requester, topic=billing, last_activity_at=when,
    )
    in_progress = TicketFactory(
        subject="Alta de usuario para una nueva empleada", requester=requester, topic=access,
        state=State.IN_PROGRESS, assignee=operator, taken_at=when, last_activity_at=when.replace(hour=11),
    )
    closed = TicketFactory(
        subject="Consulta por el vencimiento del abono", requester=requester, topic=billing,
        state=State.CLOSED, assignee=operator, taken_at=when, closed_at=when, closed_by=operator,
        last_activity_at=when.replace(day=2),
    )
    log_in(admin)
    page.goto("/solicitudes/")
    rows = page.get_by_role("row").filter(has=page.get_by_role("link"))
    expect(rows).to_have_count(2)  # open work first
    page.goto("/solicitudes/?estado=todos")

    expect(rows).to_have_count(3)
    for ticket, state_label in ((new, "Nuevo"), (in_progress, "En proceso"), (closed, "Cerrado")):
        row = rows.filter(has_text=ticket.subject)
        expect(row).to_contain_text(f"#{ticket.number}")
        expect(row.get_by_text(state_label, exact=True)).to_be_visible()
        expect(row.get_by_text(state_label, exact=True)).to_have_class(f"badge-state badge-state-{ticket.state}")
        expect(row).to_contain_text("Roberto Sánchez · Ferretería Don Julio S.R.L.")
    expect(rows.filter(has_text=new.subject)).to_contain_text("Sin asignar")
    expect(rows.filter(has_text=new.subject)).to_contain_text("09/03/2026 14:05")
    expect(rows.filter(has_text=in_progress.subject)).to_contain_text("Juan Pérez")
    colours = {
        state: page.locator(f".badge-state-{state}").evaluate("el => getComputedStyle(el).backgroundColor")
        for state in State.values
    }
    assert len(set(colours.values())) == 3, colours
    assert_no_horizontal_overflow(page)
    screenshot(page)

    page.get_by_role("link", name=new.subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{new.number} · {new.subject}")
    expect(page.get_by_role("main").get_by_text("Nuevo", exact=True)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("No funciona la impresora de la oficina.")
    assert_no_horizontal_overflow(page)
    screenshot(page, "detail")
