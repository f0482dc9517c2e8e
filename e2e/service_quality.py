"""The steps the service quality journeys share (issue 15): an administrator's hours, closed days and SLA
targets on /horario/ and /objetivos-sla/, the closing email's survey links, and a client answering them.
Used by e2e/test_sla.py, e2e/test_satisfaction.py and e2e/test_service_quality_journey.py."""

import re

from django.core import mail
from playwright.sync_api import expect

from e2e.helpers import open_menu

# One link per answer in the closing email: (url, score).
SURVEY_LINK = re.compile(r"(http://\S+/encuesta/\S+/\?respuesta=(\d))")


def open_schedule(page):
    """/horario/ as an administrator gets there, with «SLA» marked as the current section of the menu."""
    page.goto("/horario/", timeout=60_000)  # often the first page of a cold server, on a busy machine
    expect(page.get_by_role("heading", name="Horario de atención")).to_be_visible()
    open_menu(page)
    expect(page.get_by_role("link", name="SLA", exact=True)).to_have_attribute("aria-current", "page")
    if page.locator("button.navbar-toggler").is_visible():
        page.locator("button.navbar-toggler").click()  # the phone's menu closed again


def set_hours(page, hours):
    """On /horario/: `hours` maps a day's name («Lunes») to ("09:00", "18:00"), or to None for a day not worked;
    days not named stay as they are. Saves and waits for the confirmation."""
    for day, times in hours.items():
        worked = page.get_by_label(day, exact=True)
        if times is None:
            worked.uncheck()
            continue
        worked.check()
        page.get_by_label(f"{day} desde").fill(times[0])
        page.get_by_label(f"{day} hasta").fill(times[1])
    page.get_by_role("button", name="Guardar horario").click()
    expect(page.get_by_role("alert")).to_contain_text("Guardaste el horario de atención")


def add_closed_day(page, day, reason):
    """On /horario/: adds `day` (a date) as a day not worked, with its reason."""
    page.get_by_label("Fecha").fill(day.isoformat())
    page.get_by_label("Motivo").fill(reason)
    page.get_by_role("button", name="Agregar día no laborable").click()
    expect(page.get_by_role("alert")).to_contain_text(reason)


def set_target(page, row, *, first_response, resolution):
    """From /horario/, on «Objetivos de SLA»: `row` is «Temática · Prioridad»; hours as text («1», «8»)."""
    page.get_by_role("link", name="Objetivos de SLA").click()
    page.get_by_label(f"{row} · Primera respuesta").fill(first_response)
    page.get_by_label(f"{row} · Resolución").fill(resolution)
    page.get_by_role("button", name="Guardar objetivos").click()
    expect(page.get_by_role("alert")).to_contain_text("Guardaste los objetivos de SLA")


def close_in_browser(page):
    """On a request page, staff close it (no closing message)."""
    page.get_by_text("Cerrar", exact=True).click()
    page.get_by_role("button", name="Cerrar solicitud").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()


def survey_links(requester):
    """{score: url} of the five answers in the closing email `requester` got (exactly one such email), worst
    first and each with its words."""
    [closing] = [message for message in mail.outbox if message.to == [requester.email]
                 and "¿Cómo te atendimos?" in message.body]
    links = {int(score): url for url, score in SURVEY_LINK.findall(closing.body)}
    assert sorted(links) == [1, 2, 3, 4, 5], closing.body
    assert "1 · Muy mal" in closing.body and "5 · Excelente" in closing.body
    return links


def answer_survey(client_page, url, *, score, label, comment=None):
    """The client opens one answer's link (one click: static/js/survey.js sends it) and, optionally, comments."""
    client_page.goto(url)
    expect(client_page.get_by_role("heading", name="¡Gracias por tu respuesta!")).to_be_visible()
    expect(client_page.get_by_text(f"Registramos tu respuesta: {score} · «{label}».")).to_be_visible()
    if comment is not None:
        client_page.get_by_label("¿Querés contarnos algo más? (opcional)").fill(comment)
        client_page.get_by_role("button", name="Enviar comentario").click()
        expect(client_page.get_by_role("alert").filter(has_text="Guardamos tu comentario")).to_be_visible()
