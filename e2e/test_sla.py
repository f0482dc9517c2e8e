"""An administrator sets the working hours, a closed day and an SLA target; a request breaches it, its
assignee is emailed once, sees «vencida» in the tray, and the reports show the first response and the SLA
compliance (issue 15). Desktop and phone."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from e2e.service_quality import add_closed_day, open_schedule, set_hours, set_target
from mail.models import OutboxMessage
from sla import clock
from sla.models import ClosedDay, Target, WorkingDay
from tickets import services
from tickets.models import Priority, Ticket
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_sla_is_set_breached_warned_and_reported(page, log_in):
    admin = verified(AdminFactory(email="adela@demo.sysmo.ar", full_name="Adela Díaz"))
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Soporte técnico", operators=[operator])
    requester = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))

    log_in(admin)
    open_schedule(page)
    set_hours(page, {"Sábado": ("09:00", "13:00")})
    assert WorkingDay.objects.filter(weekday=5).exists()
    next_year = date.today().year + 1
    add_closed_day(page, date(next_year, 12, 24), "Cierre de fin de año")
    assert ClosedDay.objects.filter(date=date(next_year, 12, 24)).exists()
    assert_no_horizontal_overflow(page)
    screenshot(page, "hours")

    set_target(page, "Soporte técnico · Normal", first_response="1", resolution="8")
    target = Target.objects.get()
    assert (target.topic, target.priority, target.first_response_hours) == (topic, Priority.NORMAL, Decimal(1))
    assert_no_horizontal_overflow(page)
    screenshot(page, "targets")

    # A request filed two weeks ago that nobody answered: its first response is long overdue.
    ticket, _ = services.create(by=requester, topic=topic, subject="No imprime la factura", description="Ayuda.")
    ticket = Ticket.objects.get(pk=ticket.pk)
    ticket.created_at = timezone.now() - timedelta(days=14)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=ticket.created_at, **clock.refreshed(ticket, timezone.now()))
    OutboxMessage.objects.all().delete()
    mail.outbox.clear()
    assert services.run_sla_clock() == (0, 1)
    assert services.run_sla_clock() == (0, 0)  # once
    [warning] = [*mail.outbox, *OutboxMessage.objects.all()]
    assert warning.to == [operator.email] and warning.subject.startswith("Venció el SLA")

    page.context.clear_cookies()
    log_in(operator)
    page.goto("/solicitudes/?vence=vencida")
    expect(page.get_by_role("main")).to_contain_text("No imprime la factura")
    expect(page.locator(".sla-badge").first).to_have_text("vencida")
    assert_no_horizontal_overflow(page)
    screenshot(page, "tray")
    page.goto(ticket.get_absolute_url())
    page.get_by_role("region", name="Nueva intervención").get_by_label("Mensaje").fill("Ya lo revisamos.")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Enviamos")).to_be_visible()
    assert Ticket.objects.get(pk=ticket.pk).first_response_by == operator

    page.context.clear_cookies()
    log_in(admin)
    page.goto("/informes/", timeout=60_000)  # a year of figures on a busy machine
    expect(page.get_by_role("heading", name="Primera respuesta", exact=True)).to_be_visible()
    table = page.locator("#tabla-sla")
    expect(table).to_contain_text("Soporte técnico")
    expect(table).to_contain_text("Normal")
    expect(page.locator("#tabla-primera-respuesta-usuario")).to_contain_text("Sofía Ruiz")
    assert_no_horizontal_overflow(page)
    screenshot(page, "reports")
