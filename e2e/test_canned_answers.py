"""Respuestas predefinidas and signatures (issue 14): an operator writes their signature and a canned answer with
placeholders (a mistyped one refused first), answers three requests with it, editing the text each time; the
clients see the text filled in for their request, with the operator's signature."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, open_menu, screenshot
from e2e.test_tap_targets import assert_targets_big_enough
from tickets.models import CannedAnswer, Intervention, Ticket
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = "Hola, {nombre}: reiniciá el equipo y contanos si la solicitud #{numero} sigue igual.\nSaludos, {operador}"


def test_an_operator_answers_three_requests_with_a_canned_answer_and_the_clients_see_it_signed(page, log_in):
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    support = TopicFactory(name="Soporte técnico", operators=[operator])
    TopicFactory(name="Facturación", operators=[OperatorFactory()])
    clients = [verified(ClientFactory(email=f"{name.lower()}@espiga.com.ar", full_name=f"{name} Acosta"))
               for name in ("Valeria", "Martín", "Lucía")]
    tickets = [TicketFactory(topic=support, requester=person, subject=f"No prende la PC de {person.get_short_name()}")
               for person in clients]

    log_in(operator)
    page.goto("/perfil/")
    page.get_by_label("Firma").fill("Sofía Ruiz\nMesa de ayuda · int. 204")
    page.get_by_role("button", name="Guardar firma").click()
    expect(page.get_by_role("alert")).to_contain_text("Guardamos tu firma")
    assert_no_horizontal_overflow(page)
    screenshot(page, "signature")

    open_menu(page)
    page.get_by_role("link", name="Respuestas", exact=True).click()
    expect(page.get_by_role("heading", name="Respuestas predefinidas", level=1)).to_be_visible()
    page.get_by_role("link", name="Nueva respuesta").first.click()
    page.get_by_label("Título").fill("Reinicio del equipo")
    page.get_by_label("Texto").fill(TEXT.replace("{nombre}", "{nombr}"))
    page.get_by_role("button", name="Guardar respuesta").click()
    expect(page.locator("#div_id_body .invalid-feedback")).to_contain_text("No sabemos completar «{nombr}»")
    expect(page.get_by_label("Temática")).to_have_value(str(support.pk))  # only their topic to choose
    assert_no_horizontal_overflow(page)
    screenshot(page, "refused")
    page.get_by_label("Texto").fill(TEXT)
    page.get_by_role("button", name="Guardar respuesta").click()
    expect(page.get_by_role("alert")).to_contain_text("Guardaste la respuesta «Reinicio del equipo»")
    expect(page.get_by_role("table")).to_contain_text("Soporte técnico")
    assert_no_horizontal_overflow(page)
    screenshot(page, "list")

    edits = ["Buenas tardes.\n\n", "", "Martes: "]
    for ticket, typed in zip(tickets, edits, strict=True):
        page.goto(ticket.get_absolute_url())
        box = page.get_by_role("region", name="Nueva intervención")
        message = box.get_by_label("Mensaje")
        message.fill(typed)
        box.get_by_role("searchbox", name="Buscar una respuesta por título").fill("reinic")
        expect(box.get_by_label("Respuesta predefinida", exact=True)).to_have_value(str(
            box.get_by_role("option", name="Reinicio del equipo · Soporte técnico").get_attribute("value")))
        box.get_by_role("button", name="Insertar").click()
        filled = TEXT.replace("{nombre}", ticket.requester.get_short_name()).replace(
            "{numero}", str(ticket.number)).replace("{operador}", "Sofía Ruiz")
        expect(message).to_have_value(typed + filled)
        expect(box.get_by_role("status").filter(has_text="Insertamos")).to_contain_text("revisala antes de enviar")
        if ticket is tickets[0]:
            expect(box).to_contain_text("Se agrega tu firma:")
            assert_no_horizontal_overflow(page)
            assert_targets_big_enough(page)  # the picker's controls too
            screenshot(page, "inserted")
        message.press("End")
        message.type(" ¡Gracias!")  # the operator edits the text before sending
        box.get_by_role("button", name="Responder", exact=True).click()
        expect(page.get_by_role("status").filter(has_text="Enviamos tu respuesta")).to_be_visible()

    answers = list(Intervention.objects.filter(author=operator).order_by("ticket__number"))
    assert [answer.signature for answer in answers] == ["Sofía Ruiz\nMesa de ayuda · int. 204"] * 3
    first = answers[0].body.replace("\r\n", "\n")  # as the browser sends a text box
    assert first.startswith("Buenas tardes.\n\nHola, Valeria:") and first.endswith("Saludos, Sofía Ruiz ¡Gracias!")

    for person, ticket in zip(clients, tickets, strict=True):
        page.context.clear_cookies()
        log_in(person)
        page.goto(ticket.get_absolute_url())
        history = page.get_by_role("region", name="Historial")
        expect(history).to_contain_text(f"Hola, {person.get_short_name()}: reiniciá el equipo y contanos si la "
                                        f"solicitud #{ticket.number} sigue igual.")
        expect(history).to_contain_text("Saludos, Sofía Ruiz ¡Gracias!")
        expect(history.locator(".message-signature")).to_have_text("Sofía Ruiz\nMesa de ayuda · int. 204",
                                                                   use_inner_text=True)
        expect(page.get_by_role("region", name="Escribir una respuesta")).not_to_contain_text("Respuesta predefinida")
    assert_no_horizontal_overflow(page)
    screenshot(page, "client")
    assert Ticket.objects.filter(assignee=operator).count() == 3


def test_an_administrator_keeps_a_global_answer_an_operator_sees_but_cannot_edit(page, log_in):
    from accounts.tests.factories import AdminFactory

    admin = verified(AdminFactory(email="adela@demo.sysmo.ar", full_name="Adela Admin"))
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    TopicFactory(name="Soporte técnico", operators=[operator])

    log_in(admin)
    page.goto("/respuestas/nueva/")
    page.get_by_label("Título").fill("Saludo")
    page.get_by_label("Texto").fill("Hola, {nombre}: gracias por escribirnos.")
    expect(page.get_by_label("Temática")).to_have_value("")  # global unless a topic is chosen
    page.get_by_role("button", name="Guardar respuesta").click()
    expect(page.get_by_role("table")).to_contain_text("Global")
    assert_no_horizontal_overflow(page)
    if page.viewport_size["width"] >= 1200:  # eight links and «Respuestas»: the header still holds one line
        assert page.locator(".site-header").bounding_box()["height"] < 80
    screenshot(page, "admin")

    page.context.clear_cookies()
    log_in(operator)
    page.goto("/respuestas/")
    row = page.get_by_role("row").filter(has_text="Saludo")
    expect(row).to_contain_text("Global")
    expect(row.get_by_role("link")).to_have_count(0)
    expect(row.get_by_role("button")).to_have_count(0)
    page.get_by_label("Buscar en títulos y textos").fill("nada parecido")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("main")).to_contain_text("Ninguna respuesta coincide")

    # Deleting cannot be undone: «Borrar» only asks; the answer goes with «Sí, borrarla».
    page.context.clear_cookies()
    log_in(admin)
    page.goto("/respuestas/")
    row = page.get_by_role("row").filter(has_text="Saludo")
    row.locator("summary", has_text="Borrar").click()
    expect(row.get_by_text("¿Borrar «Saludo»? No se puede deshacer.")).to_be_visible()
    assert CannedAnswer.objects.filter(title="Saludo").exists()
    assert_no_horizontal_overflow(page)
    screenshot(page, "confirm-delete")
    row.get_by_role("button", name="Sí, borrarla Saludo").click()
    expect(page.get_by_role("alert")).to_contain_text("Borraste la respuesta «Saludo».")
    assert not CannedAnswer.objects.exists()


def test_without_javascript_insertar_brings_the_form_back_with_the_text(browser, live_server):
    """The same reply box with JavaScript off: the list and «Insertar» are a round trip, the text is added to
    what was typed, and «Responder» then sends it once."""
    from django.test import Client

    from tickets.models import CannedAnswer

    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    support = TopicFactory(name="Soporte técnico", operators=[operator])
    person = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))
    ticket = TicketFactory(topic=support, requester=person, subject="No prende la PC")
    CannedAnswer.objects.create(title="Reinicio del equipo", body="Hola, {nombre}: reiniciá el equipo.",
                                topic=support)
    session = Client()
    session.force_login(operator)
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="es-AR")
    context.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(ticket.get_absolute_url())
        box = page.get_by_role("region", name="Nueva intervención")
        expect(box.get_by_role("searchbox")).to_be_hidden()  # the search needs JavaScript
        box.get_by_label("Mensaje").fill("Buenas tardes.")
        pick = box.get_by_label("Respuesta predefinida", exact=True)
        pick.select_option(label="Reinicio del equipo · Soporte técnico")
        box.get_by_role("button", name="Insertar").click()
        box = page.get_by_role("region", name="Nueva intervención")
        expect(box.get_by_label("Mensaje")).to_have_value("Buenas tardes.\n\nHola, Valeria: reiniciá el equipo.")
        assert not Intervention.objects.exists()
        box.get_by_role("button", name="Responder", exact=True).click()
        expect(page.get_by_role("status").filter(has_text="Enviamos tu respuesta")).to_be_visible()
        assert Intervention.objects.get().body.replace("\r\n", "\n") == (
            "Buenas tardes.\n\nHola, Valeria: reiniciá el equipo.")
    finally:
        context.close()


def test_an_operator_without_topics_reads_why_and_still_has_the_global_answers(page, log_in):
    operator = verified(OperatorFactory(email="nuevo@demo.sysmo.ar", full_name="Nicolás Nuevo"))
    CannedAnswer.objects.create(title="Saludo", body="Hola, {nombre}: gracias por escribirnos.")
    log_in(operator)
    page.goto("/respuestas/")
    expect(page.get_by_text("Todavía no atendés ninguna temática")).to_be_visible()
    expect(page.get_by_role("link", name="Nueva respuesta")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="Saludo")).to_contain_text("Global")
    assert_no_horizontal_overflow(page)
    screenshot(page, "no-topics")
    page.goto("/respuestas/nueva/")  # typed by hand: back to the list, which says why
    expect(page).to_have_url(re.compile(r"/respuestas/$"))
