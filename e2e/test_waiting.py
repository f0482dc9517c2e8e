"""An operator answers and waits on the client; the client sees it, answers, and the wait ends."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets import services
from tickets.models import Ticket
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_answer_and_wait_then_the_client_answers(page, log_in):
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Soporte técnico", operators=[operator])
    client = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))
    ticket, _ = services.create(by=client, topic=topic, subject="No imprime la factura", description="Ayuda.")

    log_in(operator)
    page.goto(ticket.get_absolute_url())
    box = page.get_by_role("region", name="Nueva intervención")
    box.get_by_label("Mensaje").fill("¿Me pasás el modelo de la impresora?")
    box.get_by_role("button", name="Responder y esperar al cliente").click()
    expect(page.get_by_role("status")).to_contain_text("Esperando al cliente")
    expect(page.locator(".ticket-header")).to_contain_text("Esperando al cliente")
    expect(page.locator(".ticket-header")).to_contain_text("En proceso")
    screenshot(page, "operator")

    page.context.clear_cookies()
    log_in(client)
    page.goto("/solicitudes/")
    expect(page.get_by_role("main")).to_contain_text("Esperando al cliente")
    assert_no_horizontal_overflow(page)
    screenshot(page, "tray")
    page.goto(ticket.get_absolute_url())
    page.get_by_role("region", name="Escribir una respuesta").get_by_label("Mensaje").fill("Es una HP LaserJet 1020.")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")
    expect(page.locator(".ticket-header")).not_to_contain_text("Esperando al cliente")
    assert not Ticket.objects.get(pk=ticket.pk).is_waiting
