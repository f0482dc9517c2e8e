"""New activity (issue 14, item 3): an operator opens a request, the client answers from their own browser,
and the operator's tray shows the row in bold with «Respuesta nueva del cliente» and the count on the tab;
opening the request clears both."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets import services
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def logged_in(page, user, live_server):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def test_a_clients_answer_is_marked_in_the_operators_tray_until_opened(page, new_page, log_in, live_server):
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Soporte técnico", operators=[operator])
    client = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))
    ticket, _ = services.create(by=client, topic=topic, subject="No imprime la factura", description="Ayuda.")
    services.create(by=client, topic=topic, subject="Cambio de domicilio", description="Nos mudamos.")
    services.take(ticket, by=operator)

    log_in(operator)
    page.goto(ticket.get_absolute_url())  # the operator reads it: nothing new for them from here on
    page.goto("/solicitudes/?bandeja=asignadas")
    expect(page.locator(".news-chip")).to_have_count(0)
    expect(page.locator(".tray-tab-news")).to_have_count(0)

    # The client answers from their own browser.
    client_page = new_page("client")
    logged_in(client_page, client, live_server)
    client_page.goto(ticket.get_absolute_url())
    client_page.get_by_role("region", name="Escribir una respuesta").get_by_label("Mensaje").fill(
        "Es una HP LaserJet 1020.")
    client_page.get_by_role("button", name="Responder", exact=True).click()
    expect(client_page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")
    client_page.goto("/solicitudes/")
    expect(client_page.locator(".news-chip, .tray-tab-news, .has-news")).to_have_count(0)  # never for clients

    page.reload()
    row = page.locator("tr.has-news")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("No imprime la factura")
    expect(row.locator(".news-chip")).to_have_text(["Respuesta nueva del cliente"])
    assert row.locator(".ticket-subject").evaluate("el => getComputedStyle(el).fontWeight") == "800"
    tab = page.get_by_role("link", name="Asignadas a mí")
    expect(tab.locator(".tray-tab-news")).to_have_text("1 novedad")
    assert_no_horizontal_overflow(page)
    screenshot(page, "marked")

    row.get_by_role("link", name="No imprime la factura").click()
    expect(page.get_by_role("main")).to_contain_text("Es una HP LaserJet 1020.")
    page.goto("/solicitudes/?bandeja=asignadas")
    expect(page.locator("tr.has-news")).to_have_count(0)
    expect(page.locator(".tray-tab-news")).to_have_count(0)
    screenshot(page, "cleared")
