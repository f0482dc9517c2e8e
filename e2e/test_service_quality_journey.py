"""Issue 15's «Done when», in one journey on desktop and phone: an administrator sets the working hours, a
closed day and an SLA target; a request filed on a Friday afternoon runs over the closed Monday and breaches
its first response on Tuesday, the topic's operator is warned at 80 % and at the breach (one email each); the
operator answers and closes it; the client answers the survey from the closing email with one click and a
comment; the administrator sees the SLA compliance, the first response and the satisfaction on /informes/.

The clock is driven by the beat task's function, tickets.services.run_sla_clock(now=…), at hand-picked
instants; the due times in the test are worked out by hand (Friday 16:30 → 17:00 is 30 business minutes,
Saturday and Sunday are not worked, Monday is the closed day, Tuesday opens at 09:00: due at 09:30, 80 % of
the hour, 48 minutes, at 09:18)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from e2e.helpers import SCREENSHOTS, assert_no_horizontal_overflow, screenshot
from e2e.service_quality import (
    add_closed_day,
    answer_survey,
    close_in_browser,
    open_schedule,
    set_hours,
    set_target,
    survey_links,
)
from satisfaction.models import Survey
from sla import clock
from sla.business_hours import BUENOS_AIRES, is_holiday
from tickets import services
from tickets.models import Ticket
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WEEKDAYS = {"Lunes": ("09:00", "18:00"), "Martes": ("09:00", "18:00"), "Miércoles": ("09:00", "18:00"),
            "Jueves": ("09:00", "18:00"), "Viernes": ("09:00", "17:00"), "Sábado": None, "Domingo": None}


def a_past_friday():
    """The latest Friday whose following Tuesday is before today, with that Friday, Monday and Tuesday all
    working days in Argentina (no national holiday), so the closed Monday is the only gap."""
    today = timezone.localdate()
    friday = today - timedelta(days=(today.weekday() - 4) % 7 or 7)
    while friday + timedelta(days=4) >= today or any(is_holiday(friday + timedelta(days=n)) for n in (0, 3, 4)):
        friday -= timedelta(days=7)
    return friday


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), BUENOS_AIRES)


def sla_emails():
    return [(message.to, message.subject.split(" de la solicitud")[0]) for message in mail.outbox
            if "SLA" in message.subject]


def test_hours_holiday_sla_breach_warning_survey_and_reports(page, new_page, log_in):
    admin = verified(AdminFactory(email="adela@demo.sysmo.ar", full_name="Adela Díaz"))
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Soporte técnico", operators=[operator])
    requester = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))
    friday = a_past_friday()
    monday, tuesday = friday + timedelta(days=3), friday + timedelta(days=4)

    # The administrator: Monday to Friday, Friday until 17; the Monday after is a company closure; and an hour
    # for the first response of «Soporte técnico», normal priority.
    log_in(admin)
    open_schedule(page)
    set_hours(page, WEEKDAYS)
    add_closed_day(page, monday, "Puente de la empresa")
    assert_no_horizontal_overflow(page)
    screenshot(page, "hours")
    set_target(page, "Soporte técnico · Normal", first_response="1", resolution="8")
    assert_no_horizontal_overflow(page)
    screenshot(page, "targets")

    # Valeria's request, filed that Friday at 16:30 and not answered.
    ticket, _ = services.create(by=requester, topic=topic, subject="No imprime la factura", description="Ayuda.")
    ticket = Ticket.objects.get(pk=ticket.pk)
    ticket.created_at = at(friday, 16, 30)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=ticket.created_at, **clock.refreshed(ticket, timezone.now()))
    ticket.refresh_from_db()
    assert (ticket.first_response_due_at, ticket.sla_warn_at) == (at(tuesday, 9, 30), at(tuesday, 9, 18))
    mail.outbox.clear()

    # The beat task: nothing on the closed Monday, the warning on Tuesday at 09:20, the breach at 09:31, once.
    assert services.run_sla_clock(now=at(monday, 12)) == (0, 0)
    assert services.run_sla_clock(now=at(tuesday, 9, 20)) == (1, 0)
    assert services.run_sla_clock(now=at(tuesday, 9, 31)) == (0, 1)
    assert services.run_sla_clock(now=at(tuesday, 10)) == (0, 0)
    assert sla_emails() == [([operator.email], "Está por vencer el SLA"), ([operator.email], "Venció el SLA")]

    # The operator finds it among the overdue ones, answers and closes it.
    page.context.clear_cookies()
    log_in(operator)
    page.goto("/solicitudes/?vence=vencida")
    expect(page.locator(".sla-badge").first).to_have_text("vencida")
    page.get_by_role("link", name=re.compile("No imprime la factura")).first.click()
    page.get_by_role("region", name="Nueva intervención").get_by_label("Mensaje").fill("Ya lo revisamos.")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Enviamos")).to_be_visible()
    close_in_browser(page)
    assert Ticket.objects.get(pk=ticket.pk).first_response_by == operator

    # Valeria, from the closing email, in a browser of her own and without logging in.
    client_page = new_page("client")
    answer_survey(client_page, survey_links(requester)[5], score=5, label="Excelente",
                  comment="Tardaron, pero lo resolvieron bien.")
    survey = Survey.objects.get()
    assert (survey.score, survey.comment, survey.assignee) == (5, "Tardaron, pero lo resolvieron bien.", operator)
    assert_no_horizontal_overflow(client_page)
    screenshot(client_page, "survey")

    # The administrator's reports (the last 30 days: the answer, the closing and the survey are today's).
    page.context.clear_cookies()
    log_in(admin)
    page.goto("/informes/", timeout=60_000)  # a year of figures on a busy machine
    sla_row = page.locator("#tabla-sla tbody tr").filter(has_text="Soporte técnico")
    expect(sla_row).to_contain_text("Normal")
    expect(sla_row.locator('[data-label="Primera respuesta a tiempo (%)"] .report-number')).to_have_text("0,0")  # late
    expect(page.locator("#tabla-primera-respuesta-usuario")).to_contain_text("Sofía Ruiz")
    expect(page.locator("#tabla-satisfaccion-usuario")).to_contain_text("Sofía Ruiz")
    scores = page.locator("#tabla-satisfaccion-puntaje tbody tr")
    expect(scores.filter(has_text="5 · Excelente").locator("td").first).to_have_text("1")
    expect(scores.filter(has_text="1 · Muy mal").locator("td").first).to_have_text("0")
    assert page.evaluate("() => Boolean(window.Chart.getChart(document.getElementById('grafico-satisfaccion')))")
    expect(page.get_by_role("region", name="Comentarios de la encuesta")).to_contain_text(
        "Tardaron, pero lo resolvieron bien.")
    assert_no_horizontal_overflow(page)
    screenshot(page, "reports")
    section_screenshots(page, "sla", "primera-respuesta-usuario", "grafico-satisfaccion")

    # Compared with the 30 days before: nobody answered then, so the grey bars are all 0.
    page.get_by_role("link", name="Comparar con el período anterior").click()
    expect(scores.filter(has_text="5 · Excelente").locator("td")).to_have_text(["1", "100,0", "0", "—"])
    assert page.evaluate("() => window.Chart.getChart(document.getElementById('grafico-satisfaccion'))"
                         ".data.datasets.map((d) => d.data)") == [[0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
    assert_no_horizontal_overflow(page)
    section_screenshots(page, "grafico-satisfaccion", suffix="comparado")


def section_screenshots(page, *sections, suffix=""):
    for section in sections:
        name = re.sub(r"[^\w.-]+", "-", f"{page.test_name}-{section}-{suffix}").strip("-")
        page.locator(f"section[aria-labelledby={section}-titulo]").screenshot(path=str(SCREENSHOTS / f"{name}.png"))
