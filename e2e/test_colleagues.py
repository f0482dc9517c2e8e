"""Colleagues in copy (issue 14): a client puts a colleague of her company in copy; he follows the emailed link,
sees the request in his «En copia» tray, answers; the operator sees his answer. Then she takes him out and the
request is gone for him."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Company
from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets import services
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_client_adds_a_colleague_who_sees_the_request_and_answers(page, log_in, live_server):
    company = Company.objects.create(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    valeria = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta", company=company))
    juan = verified(ClientFactory(email="juan@espiga.com.ar", full_name="Juan Pérez", company=company))
    verified(ClientFactory(email="carlos@otra.com.ar", full_name="Carlos De Otra Empresa"))
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Facturación", operators=[operator])
    ticket, _ = services.create(by=valeria, topic=topic, subject="Nos facturaron dos veces marzo",
                                description="Llegaron dos facturas iguales de marzo.")
    services.reply(ticket, by=operator, body="¿Me pasan los dos números de factura?")
    services.comment_internally(ticket, by=operator, body="Nota interna: revisar con cobranzas.")

    # Valeria puts Juan in copy: she chooses him in a list of her company's confirmed members.
    log_in(valeria)
    page.goto(ticket.get_absolute_url())
    copy = page.get_by_role("region", name="En copia")
    expect(copy).to_contain_text("Nadie más de la empresa sigue esta solicitud.")
    choice = copy.get_by_label("Agregar un colega de Panadería La Espiga S.R.L.")
    expect(choice.locator("option")).to_have_text(["Juan Pérez"])  # nobody of another company
    choice.select_option(label="Juan Pérez")
    assert_no_horizontal_overflow(page)
    whole = screenshot(page, "requester-choosing")
    copy.screenshot(path=str(whole.with_name(f"{whole.stem}-box.png")))
    copy.get_by_role("button", name="Agregar").click()
    expect(page.get_by_role("alert")).to_contain_text("Agregaste a Juan Pérez en copia")
    expect(copy.get_by_role("listitem")).to_have_text([re.compile("Juan Pérez")])
    expect(page.get_by_role("main")).to_contain_text("Valeria Acosta agregó a Juan Pérez en copia")
    assert_no_horizontal_overflow(page)
    screenshot(page, "requester")

    # Juan gets an email with the link; he logs in and finds the request in his «En copia» tray.
    [invite] = [m for m in mail.outbox if m.to == ["juan@espiga.com.ar"]]
    assert "Te agregaron en copia" in invite.subject
    link = re.search(r"https?://\S+/solicitudes/\d+/", invite.body).group(0)
    page.context.clear_cookies()
    log_in(juan)
    page.goto("/solicitudes/")
    tabs = page.get_by_role("navigation", name="Bandejas")
    expect(tabs.get_by_role("link", name=re.compile("En copia"))).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("main")).to_contain_text("Nos facturaron dos veces marzo")
    assert_no_horizontal_overflow(page)
    screenshot(page, "colleague-tray")

    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), live_server.url))
    main = page.get_by_role("main")
    expect(main).to_contain_text("¿Me pasan los dos números de factura?")
    expect(main).not_to_contain_text("revisar con cobranzas")  # never an internal comment
    expect(page.get_by_role("button", name="Agregar")).to_have_count(0)  # a colleague does not add others
    box = page.get_by_role("region", name="Escribir una respuesta")
    box.get_by_label("Mensaje").fill("Son la 0003-00001234 y la 0003-00001235.")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Enviamos tu respuesta")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "colleague-answered")
    assert any(m.to == ["sofia@demo.sysmo.ar"] and "0003-00001234" in m.body for m in mail.outbox)
    assert any(m.to == ["valeria@espiga.com.ar"] and "0003-00001234" in m.body for m in mail.outbox)

    # The operator sees Juan's answer, marked as from someone in copy, and who is in copy.
    page.context.clear_cookies()
    log_in(operator)
    page.goto(ticket.get_absolute_url())
    answer = page.get_by_role("article", name="Mensaje · Juan Pérez")
    expect(answer).to_contain_text("Son la 0003-00001234 y la 0003-00001235.")
    expect(answer).to_contain_text("En copia")
    expect(page.get_by_role("region", name="En copia")).to_contain_text("Juan Pérez")
    screenshot(page, "operator")

    # Valeria takes him out: the request is gone for him at once.
    page.context.clear_cookies()
    log_in(valeria)
    page.goto(ticket.get_absolute_url())
    page.get_by_role("button", name="Quitar a Juan Pérez de la copia").click()
    expect(page.get_by_role("alert")).to_contain_text("Quitaste a Juan Pérez de la copia")
    page.context.clear_cookies()
    log_in(juan)
    page.error_pages_expected.add(404)
    assert page.goto(ticket.get_absolute_url()).status == 404
