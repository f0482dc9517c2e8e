"""An operator's morning (issue 13): a client phones, the operator files the request for them, answers and
waits; the client answers on the web; the operator closes it."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Company
from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets.models import Channel, Priority, State, Ticket
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_client_phones_and_the_operator_files_for_them(page, log_in):
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    TopicFactory(name="Soporte técnico", operators=[operator, OperatorFactory()])
    espiga = Company.objects.create(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    client = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta", company=espiga))

    log_in(operator)
    page.goto("/solicitudes/nueva/")
    pick = page.get_by_role("region", name="¿Para quién es?")
    pick.get_by_label("Buscar cliente").fill("30718765435")
    pick.get_by_role("button", name="Buscar cliente").click()
    page.get_by_role("region", name="¿Para quién es?").get_by_role("link", name="Elegir a Valeria Acosta").click()
    expect(page.get_by_role("region", name="¿Para quién es?")).to_contain_text("Panadería La Espiga S.R.L.")
    page.get_by_label("¿Cómo llegó?").select_option(label="Teléfono")
    page.get_by_label("Temática").select_option(label="Soporte técnico")
    page.get_by_label("Asunto").fill("No imprime la factura electrónica")
    page.get_by_label("Descripción").fill("Llamó Valeria: la impresora de caja no imprime desde ayer.")
    assert_no_horizontal_overflow(page)
    screenshot(page, "filing")
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("alert")).to_contain_text("Cargaste la solicitud")
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel) == (client, Channel.PHONE)
    assert any(m.to == ["valeria@espiga.com.ar"] and "Recibimos tu solicitud" in m.subject for m in mail.outbox)
    expect(page.get_by_role("region", name="Historial")).to_contain_text("en nombre de Valeria Acosta")

    actions = page.get_by_role("region", name="Acciones")
    actions.get_by_label("Prioridad").select_option(label="Urgente")
    actions.get_by_role("button", name="Cambiar").click()
    expect(page.get_by_role("alert")).to_contain_text("La prioridad ahora es Urgente")
    expect(page.get_by_role("region", name="Historial")).to_contain_text("cambió la prioridad de Normal a Urgente")
    assert Ticket.objects.get().priority == Priority.URGENT

    box = page.get_by_role("region", name="Nueva intervención")
    box.get_by_label("Mensaje").fill("Valeria, ¿me pasás el modelo de la impresora?")
    box.get_by_role("button", name="Responder y esperar al cliente").click()
    expect(page.locator(".ticket-header")).to_contain_text("Esperando al cliente")

    page.context.clear_cookies()
    log_in(client)
    page.goto(ticket.get_absolute_url())
    page.get_by_role("region", name="Escribir una respuesta").get_by_label("Mensaje").fill("Es una Epson TM-T20.")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.locator(".ticket-header")).not_to_contain_text("Esperando al cliente")
    expect(page.get_by_role("main")).not_to_contain_text("Urgente")  # the priority is the desk's, not shown

    page.context.clear_cookies()
    log_in(operator)
    page.goto("/solicitudes/?bandeja=tematicas&orden=prioridad")
    expect(page.get_by_role("main")).to_contain_text("Urgente")
    page.goto(ticket.get_absolute_url())
    actions = page.get_by_role("region", name="Acciones")
    actions.get_by_text("Cerrar", exact=True).click()
    actions.get_by_label("Mensaje de cierre (opcional)").fill("Reinstalamos el driver de la Epson.")
    actions.get_by_role("button", name="Cerrar solicitud").click()
    expect(page.locator(".ticket-header")).to_contain_text("Cerrado")
    screenshot(page, "closed")
    assert Ticket.objects.get(pk=ticket.pk).state == State.CLOSED
