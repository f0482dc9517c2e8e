"""Issue 14's whole day in one walk, desktop and phone: an operator answers three requests with a canned answer,
closes two of them at once, and sees the third client's new answer marked in the tray; that client adds a
colleague of her company, who then sees the request. The parts are walked in depth by test_canned_answers,
test_bulk_actions, test_new_activity and test_colleagues; this is the day they make together."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Company
from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets import services
from tickets.models import CannedAnswer, State, Ticket
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CANNED = "Hola, {nombre}: reiniciá el router y contanos si la solicitud #{numero} sigue igual."


def as_person(page, user, live_server):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def answer_with_the_canned_answer(page, ticket):
    page.goto(ticket.get_absolute_url())
    box = page.get_by_role("region", name="Nueva intervención")
    box.get_by_role("searchbox", name="Buscar una respuesta por título").fill("router")
    box.get_by_role("button", name="Insertar").click()
    message = box.get_by_label("Mensaje")
    expect(message).to_have_value(f"Hola, {ticket.requester.get_short_name()}: reiniciá el router y contanos si "
                                  f"la solicitud #{ticket.number} sigue igual.")
    message.press("End")
    message.type(" Gracias.")
    box.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Enviamos tu respuesta")).to_be_visible()


def test_canned_answers_bulk_close_new_activity_and_a_colleague_in_copy(page, new_page, log_in, live_server):
    company = Company.objects.create(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    valeria = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta", company=company))
    juan = verified(ClientFactory(email="juan@espiga.com.ar", full_name="Juan Pérez", company=company))
    martin = verified(ClientFactory(email="martin@molino.com.ar", full_name="Martín Molina"))
    lucia = verified(ClientFactory(email="lucia@sastre.com.ar", full_name="Lucía Sastre"))
    sofia = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    support = TopicFactory(name="Soporte técnico", operators=[sofia])
    CannedAnswer.objects.create(title="Reinicio del router", body=CANNED, topic=support, created_by=sofia)
    tickets = [services.create(by=person, topic=support, subject=subject, description="No anda.")[0]
               for person, subject in ((martin, "Sin internet en el local"), (lucia, "El wifi se corta"),
                                       (valeria, "No entra el posnet"))]

    # Three answers with the canned answer, each filled in for its request and edited a little.
    log_in(sofia)
    for ticket in tickets:
        answer_with_the_canned_answer(page, ticket)
    screenshot(page, "answered")

    # Two of them closed at once from the tray.
    page.goto("/solicitudes/?bandeja=asignadas")
    fold = page.locator("summary", has_text="Acciones en bloque")
    if fold.is_visible():  # a phone keeps the bar folded
        fold.click()
    bar = page.get_by_role("form", name="Acciones con las seleccionadas")
    for ticket in tickets[:2]:
        page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{ticket.number}").check()
    expect(bar.get_by_text("2 seleccionadas")).to_be_visible()
    bar.get_by_label("Con las seleccionadas").select_option(label="Cerrar")
    bar.get_by_label("Mensaje de cierre (opcional)").fill("Quedó andando después del reinicio.")
    bar.get_by_role("button", name="Aplicar a las seleccionadas").click()
    expect(page.get_by_role("alert").filter(has_text="Cerraste 2 solicitudes.")).to_be_visible()
    assert [Ticket.objects.get(pk=t.pk).state for t in tickets[:2]] == [State.CLOSED, State.CLOSED]
    assert Ticket.objects.get(pk=tickets[2].pk).state != State.CLOSED
    assert_no_horizontal_overflow(page)
    screenshot(page, "closed-two")

    # Valeria answers the third one from her own browser, and puts her colleague Juan in copy.
    client_page = new_page("valeria")
    as_person(client_page, valeria, live_server)
    client_page.goto(tickets[2].get_absolute_url())
    client_page.get_by_role("region", name="Escribir una respuesta").get_by_label("Mensaje").fill(
        "Lo reinicié y sigue sin pasar tarjetas.")
    client_page.get_by_role("button", name="Responder", exact=True).click()
    expect(client_page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")
    copy = client_page.get_by_role("region", name="En copia")
    copy.get_by_label("Agregar un colega de Panadería La Espiga S.R.L.").select_option(label="Juan Pérez")
    copy.get_by_role("button", name="Agregar").click()
    expect(client_page.get_by_role("alert")).to_contain_text("Agregaste a Juan Pérez en copia")
    assert_no_horizontal_overflow(client_page)
    screenshot(client_page, "client-copied-a-colleague")

    # Sofía's tray marks Valeria's answer.
    page.goto("/solicitudes/?bandeja=asignadas")
    row = page.locator("tr.has-news")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("No entra el posnet")
    expect(row.locator(".news-chip")).to_contain_text(["Respuesta nueva del cliente"])
    assert_no_horizontal_overflow(page)
    screenshot(page, "marked")

    # Juan, in copy, sees the request with the whole public conversation.
    juan_page = new_page("juan")
    as_person(juan_page, juan, live_server)
    juan_page.goto("/solicitudes/?bandeja=en_copia")
    expect(juan_page.get_by_role("main")).to_contain_text("No entra el posnet")
    juan_page.goto(tickets[2].get_absolute_url())
    history = juan_page.get_by_role("region", name="Historial")
    expect(history).to_contain_text("Lo reinicié y sigue sin pasar tarjetas.")
    expect(history).to_contain_text("reiniciá el router")
    assert_no_horizontal_overflow(juan_page)
    screenshot(juan_page, "colleague-sees-it")
