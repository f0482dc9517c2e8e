"""A client says their request is resolved and closes it; the assignee is emailed."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets import services
from tickets.models import State, Ticket
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_client_closes_their_own_request(page, log_in):
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Soporte técnico", operators=[operator])
    client = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))
    ticket, _ = services.create(by=client, topic=topic, subject="No imprime la factura", description="Ayuda.")
    services.take(ticket, by=operator)
    mail.outbox.clear()

    log_in(client)
    page.goto(ticket.get_absolute_url())
    panel = page.get_by_role("region", name="¿Ya se resolvió?")
    panel.get_by_text("Ya está resuelto").click()
    panel.get_by_label("Mensaje (opcional)").fill("Reinicié la impresora y anduvo, gracias.")
    assert_no_horizontal_overflow(page)
    screenshot(page, "resolve")
    panel.get_by_role("button", name="Cerrar mi solicitud").click()

    expect(page.get_by_role("alert")).to_contain_text("Cerraste tu solicitud")
    expect(page.locator(".ticket-header")).to_contain_text("Cerrado")
    expect(page.get_by_role("region", name="Historial")).to_contain_text("Reinicié la impresora")
    expect(page.get_by_role("region", name="¿Ya se resolvió?")).to_have_count(0)
    assert Ticket.objects.get(pk=ticket.pk).state == State.CLOSED
    assert [m.to for m in mail.outbox] == [["sofia@demo.sysmo.ar"]]
    assert "ya está resuelta" in mail.outbox[0].body
