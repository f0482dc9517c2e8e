"""A client answers the closing email's «¿Cómo te atendimos?» with one click and adds a comment; the operator
sees the answer on the request, the administrator in the reports (issue 15). Desktop and phone."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from e2e.helpers import SCREENSHOTS, assert_no_horizontal_overflow, screenshot
from e2e.service_quality import answer_survey, close_in_browser, survey_links
from satisfaction.models import Survey
from tickets import services
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_client_answers_the_survey_and_staff_see_it(page, new_page, log_in):
    admin = verified(AdminFactory(email="adela@demo.sysmo.ar", full_name="Adela Díaz"))
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Soporte técnico", operators=[operator])
    requester = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))
    ticket, _ = services.create(by=requester, topic=topic, subject="No imprime la factura", description="Ayuda.")
    services.take(ticket, by=operator)

    # The operator closes it in the browser.
    log_in(operator)
    page.goto(ticket.get_absolute_url(), timeout=60_000)  # the first page of a cold server, on a busy machine
    close_in_browser(page)

    # The closing email, as the client gets it: five links, worst first.
    links = survey_links(requester)

    # Another browser, nobody logged in: one click on «4 · Bien» records it (static/js/survey.js sends it).
    client_page = new_page("client")
    answer_survey(client_page, links[4], score=4, label="Bien", comment="Sofía fue muy clara. ¡Gracias!")
    assert Survey.objects.get().score == 4
    assert Survey.objects.get().comment == "Sofía fue muy clara. ¡Gracias!"
    assert_no_horizontal_overflow(client_page)
    screenshot(client_page, "thanks")

    # Changing their mind within the week: the page of another link, sent with its button.
    client_page.get_by_role("link", name="Cambiar mi respuesta").click()
    expect(client_page.get_by_role("heading", name="¿Cómo te atendimos?")).to_be_visible()
    expect(client_page.get_by_label("Bien")).to_be_checked()
    assert_no_horizontal_overflow(client_page)
    screenshot(client_page, "survey")
    client_page.get_by_text("Excelente").click()
    client_page.get_by_role("button", name="Enviar", exact=True).click()
    expect(client_page.get_by_text("Registramos tu respuesta: 5 · «Excelente».")).to_be_visible()
    survey = Survey.objects.get()
    assert (survey.score, survey.comment) == (5, "Sofía fue muy clara. ¡Gracias!") and survey.changed_at

    # The operator sees it on the request.
    page.reload()
    facts = page.locator(".ticket-facts")
    expect(facts).to_contain_text("Encuesta de satisfacción")
    expect(facts).to_contain_text("5 · Excelente")
    expect(facts).to_contain_text("Sofía fue muy clara. ¡Gracias!")
    assert_no_horizontal_overflow(page)
    screenshot(page, "request")

    # The administrator, in the reports.
    page.context.clear_cookies()
    log_in(admin)
    page.goto("/informes/", timeout=60_000)
    expect(page.get_by_role("heading", name="Satisfacción", exact=True)).to_be_visible()
    expect(page.locator("#tabla-satisfaccion-usuario")).to_contain_text("Sofía Ruiz")
    expect(page.locator("#tabla-satisfaccion-tematica")).to_contain_text("Soporte técnico")
    comments = page.get_by_role("region", name="Comentarios de la encuesta")
    expect(comments).to_contain_text("Sofía fue muy clara. ¡Gracias!")
    expect(comments.get_by_role("link", name=re.compile("No imprime la factura"))).to_have_attribute(
        "href", ticket.get_absolute_url())
    assert_no_horizontal_overflow(page)
    screenshot(page, "reports")
    # The satisfaction part of that long page, section by section.
    for section in ("satisfaccion", "satisfaccion-usuario", "satisfaccion-comentarios"):
        name = re.sub(r"[^\w.-]+", "-", f"{page.test_name}-{section}").strip("-")
        page.locator(f"section[aria-labelledby={section}-titulo]").screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_a_bad_link_gets_a_clear_page(page):
    page.error_pages_expected.add(404)
    page.goto("/encuesta/no-es-un-enlace/?respuesta=5", timeout=60_000)
    expect(page.get_by_role("heading", name="Este enlace de encuesta no sirve")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "invalid")
