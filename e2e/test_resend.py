"""A reply sent twice: the browser sends the very same POST again (a network retry, a resubmitted page) and
the request shows the message once, its email goes once, and the retry lands on the request page with a
notice. Writing the same words again on purpose is a new message (a new form, a new key)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, CompanyFactory, OperatorFactory
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets.models import State
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MESSAGE = "Adjunto el comprobante que me pidieron."
RESENT = "Ya habíamos recibido ese formulario: no se hizo nada dos veces."


def test_a_reply_sent_twice_is_posted_and_emailed_once(page, log_in):
    operator = OperatorFactory(full_name="Martín Gómez", email="martin@sysmo.com.ar")
    client_user = ClientFactory(full_name="Ana Martínez", email="ana@espiga.com.ar",
                                company=CompanyFactory(name="Panadería La Espiga S.R.L."))
    ticket = TicketFactory(topic=TopicFactory(name="Facturación", operators=[operator]), requester=client_user,
                           state=State.IN_PROGRESS, assignee=operator, subject="Factura duplicada")
    log_in(client_user)
    sent = []
    page.on("request", lambda request: sent.append(request) if request.method == "POST" else None)

    page.goto(f"/solicitudes/{ticket.number}/")
    page.get_by_role("region", name="Escribir una respuesta").get_by_label("Mensaje").fill(MESSAGE)
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")

    # The same POST again, byte for byte, with the browser's cookies.
    [first] = [request for request in sent if "/responder/" in request.url]
    retry = page.request.post(first.url.split("#")[0], data=first.post_data_buffer,
                              headers={"content-type": first.header_value("content-type")})
    assert retry.ok
    assert re.search(rf"/solicitudes/{ticket.number}/(#mensaje-\d+)?$", retry.url)  # lands on the message

    page.reload()
    history = page.get_by_role("region", name="Historial")
    expect(history.get_by_text(MESSAGE)).to_have_count(1)
    assert len([m for m in mail.outbox if m.to == [operator.email] and MESSAGE in m.body]) == 1
    assert RESENT in retry.text()  # the retry's answer: the request page, with the notice
    assert_no_horizontal_overflow(page)
    screenshot(page, "sent-once")

    # On purpose, the same words again: a new form, so a new message.
    page.get_by_role("region", name="Escribir una respuesta").get_by_label("Mensaje").fill(MESSAGE)
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")
    expect(history.get_by_text(MESSAGE)).to_have_count(2)
    assert len([m for m in mail.outbox if m.to == [operator.email] and MESSAGE in m.body]) == 2
    assert not re.search(RESENT, page.content())
