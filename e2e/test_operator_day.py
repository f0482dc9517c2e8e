"""An operator's morning (issue 13): a client phones, the operator files the request for them, answers and
waits; the client answers on the web; the operator closes it."""

import re

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


NORA = "nora@ferreteria-tornillo.com.ar"
NORA_PASSWORD = "alfajor-de-maicena-27"


def test_a_new_client_phones_the_operator_creates_them_and_they_answer_on_the_web(page, new_page, log_in,
                                                                                  settings, live_server):
    """The issue's «Done when»: the operator files the request creating the NEW client, sets it Urgente,
    answers and waits; the client chooses a password from the email and answers on the web; the operator
    closes it. Trays show open work first and who waits for whom."""
    settings.SITE_URL = live_server.url  # the links in the emails point to this test's server
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    TopicFactory(name="Soporte técnico", operators=[operator, OperatorFactory()])
    Company.objects.create(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))

    # 09:05, the phone rings: Nora, of a hardware shop that never used the desk. Not found: «Cliente nuevo» opens.
    log_in(operator)
    page.goto("/solicitudes/nueva/")
    pick = page.get_by_role("region", name="¿Para quién es?")
    pick.get_by_label("Buscar cliente").fill("Nora Benítez")
    pick.get_by_role("button", name="Buscar cliente").click()
    expect(page.get_by_role("region", name="¿Para quién es?")).to_contain_text("No encontramos a nadie")
    new_client = page.locator("#cliente-nuevo")
    expect(new_client.get_by_label("Nombre y apellido")).to_have_value("Nora Benítez")
    page.get_by_label("¿Cómo llegó?").select_option(label="Teléfono")
    new_client.get_by_label("Correo electrónico").fill("VALERIA@espiga.com.ar")  # misheard: someone else's
    new_client.get_by_label("Teléfono (opcional)").fill("011 4567-8901")
    new_client.get_by_label("Empresa", exact=True).fill("Ferretería El Tornillo")
    page.get_by_label("Temática").select_option(label="Soporte técnico")
    page.get_by_label("Asunto").fill("No puedo emitir remitos")
    page.get_by_label("Descripción").fill("Llamó Nora: el sistema no le deja emitir remitos desde esta mañana.")
    page.get_by_role("button", name="Enviar solicitud").click()

    # Told next to each field; nothing written; the other client's account is offered.
    expect(page.locator("#div_id_cliente_correo")).to_contain_text("Ya hay una cuenta con ese correo electrónico.")
    expect(new_client).to_contain_text("Es la cuenta de Valeria Acosta")
    expect(page.locator("#div_id_cliente_cuit")).to_contain_text("es una empresa nueva: escribí su CUIT")
    expect(page.get_by_label("Asunto")).to_have_value("No puedo emitir remitos")  # what was typed stays
    assert not Ticket.objects.exists()
    assert_no_horizontal_overflow(page)
    screenshot(page, "new-client-errors")
    new_client.get_by_label("Correo electrónico").fill(NORA)
    new_client.get_by_label("CUIT de la empresa").fill("30-71234567-1")
    assert_no_horizontal_overflow(page)
    screenshot(page, "new-client")
    page.get_by_role("button", name="Enviar solicitud").click()

    expect(page.get_by_role("alert")).to_contain_text("Le enviamos el comprobante y un enlace para elegir su")
    ticket = Ticket.objects.get()
    nora = ticket.requester
    assert (nora.email, nora.full_name, nora.company.name, ticket.channel) == (
        NORA, "Nora Benítez", "Ferretería El Tornillo", Channel.PHONE)
    to_nora = [m for m in mail.outbox if m.to == [NORA]]
    assert sorted(m.subject for m in to_nora)[0].startswith("Recibimos tu solicitud")
    invitation = next(m for m in to_nora if "elegí tu contraseña" in m.subject)
    link = re.search(r"https?://\S+/invitacion/\S+/", invitation.body).group(0)

    # Urgente; an answer that waits on the client.
    actions = page.get_by_role("region", name="Acciones")
    actions.get_by_label("Prioridad").select_option(label="Urgente")
    actions.get_by_role("button", name="Cambiar").click()
    expect(page.get_by_role("alert")).to_contain_text("La prioridad ahora es Urgente")
    box = page.get_by_role("region", name="Nueva intervención")
    box.get_by_label("Mensaje").fill("Nora, ¿qué mensaje te aparece al emitir el remito?")
    box.get_by_role("button", name="Responder y esperar al cliente").click()
    expect(page.locator(".ticket-header")).to_contain_text("Esperando al cliente")

    trays = page.get_by_role("navigation", name="Bandejas")
    page.goto("/solicitudes/?bandeja=asignadas&orden=prioridad")
    expect(trays.get_by_role("link", name=re.compile("^Asignadas a mí"))).to_contain_text("1")
    row = page.get_by_role("row").filter(has_text="No puedo emitir remitos")
    expect(row).to_contain_text("Urgente")
    expect(row).to_contain_text("Esperando al cliente")
    assert_no_horizontal_overflow(page)
    screenshot(page, "tray-waiting")

    # Nora, at her own browser: the email's link, a password, her request, her answer.
    nora_page = new_page("client")
    nora_page.goto(link)
    expect(nora_page.get_by_role("heading", level=1, name="Hola, Nora")).to_be_visible()
    form = nora_page.get_by_role("main")
    form.get_by_label(re.compile(r"^\s*Contraseña\s*\*?\s*$")).fill(NORA_PASSWORD)
    form.get_by_label("Repetí la contraseña").fill(NORA_PASSWORD)
    assert_no_horizontal_overflow(nora_page)
    screenshot(nora_page, "choose-password")
    form.get_by_role("button", name="Guardar e ingresar").click()
    row = nora_page.get_by_role("row").filter(has_text="No puedo emitir remitos")
    expect(row).to_contain_text("Esperando al cliente")
    expect(nora_page.get_by_role("main")).not_to_contain_text("Urgente")  # the desk's order, not hers
    screenshot(nora_page, "tray")
    row.get_by_role("link", name="No puedo emitir remitos").click()
    nora_page.get_by_role("region", name="Escribir una respuesta").get_by_label("Mensaje").fill(
        "Dice «Talonario sin numeración asignada».")
    nora_page.get_by_role("button", name="Responder", exact=True).click()
    expect(nora_page.locator(".ticket-header")).not_to_contain_text("Esperando al cliente")
    nora.refresh_from_db()
    assert nora.has_usable_password() and not nora.invitation_pending

    # Back at the desk: the tray says support has the next step; the operator closes it.
    page.goto("/solicitudes/?bandeja=asignadas")
    row = page.get_by_role("row").filter(has_text="No puedo emitir remitos")
    expect(row).to_contain_text("Espera respuesta de soporte")
    row.get_by_role("link", name="No puedo emitir remitos").click()
    expect(page.get_by_role("region", name="Historial")).to_contain_text("Talonario sin numeración asignada")
    actions = page.get_by_role("region", name="Acciones")
    actions.get_by_text("Cerrar", exact=True).click()
    actions.get_by_label("Mensaje de cierre (opcional)").fill("Asignamos la numeración del talonario.")
    actions.get_by_role("button", name="Cerrar solicitud").click()
    expect(page.locator(".ticket-header")).to_contain_text("Cerrado")

    # Open work first: the closed request leaves the tray and its count, and is one link away.
    page.goto("/solicitudes/?bandeja=asignadas")
    expect(trays.get_by_role("link", name=re.compile("^Asignadas a mí"))).to_contain_text("0")
    expect(page.get_by_role("main")).not_to_contain_text("No puedo emitir remitos")
    page.get_by_role("link", name="Ver las cerradas").click()
    expect(page.get_by_role("row").filter(has_text="No puedo emitir remitos")).to_contain_text("Cerrado")
    assert_no_horizontal_overflow(page)
    screenshot(page, "closed-tray")
    assert Ticket.objects.get(pk=ticket.pk).state == State.CLOSED
