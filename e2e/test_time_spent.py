"""Time spent (issue 15, item 5): an operator records 20 minutes with an answer and 15 with an internal comment,
sees 35 min on the request, and the administrator finds them in the reports. Desktop and phone."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, CompanyFactory, OperatorFactory, verified
from e2e.helpers import SCREENSHOTS, assert_no_horizontal_overflow, open_menu, screenshot
from reports import summary as report_summary
from reports import time_spent
from tickets import services
from tickets.models import TimeEntry
from tickets.tests.factories import InProgressTicketFactory, InterventionFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_operator_records_time_and_the_administrator_reads_it(page, log_in):
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    admin = verified(AdminFactory(email="adela@demo.sysmo.ar", full_name="Adela Admin"))
    topic = TopicFactory(name="Facturación electrónica", operators=[operator])
    company = CompanyFactory(name="Panadería La Espiga", cuit="30-71234567-1")
    client = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta", company=company))
    ticket, _ = services.create(by=client, topic=topic, subject="No sale la factura B", description="Da error 10016.")

    log_in(operator)
    page.goto(ticket.get_absolute_url())
    box = page.get_by_role("region", name="Nueva intervención")
    # A wrong value comes back next to the field, the text kept.
    box.get_by_label("Mensaje").fill("Reinstalé el certificado de AFIP; probá de nuevo.")
    box.get_by_label("Tiempo dedicado (minutos)").fill("veinte")
    box.get_by_role("button", name="Responder", exact=True).click()
    box = page.get_by_role("region", name="Nueva intervención")
    expect(box.get_by_text("Escribí los minutos con números enteros, por ejemplo 20.")).to_be_visible()
    expect(box.get_by_label("Mensaje")).to_have_value("Reinstalé el certificado de AFIP; probá de nuevo.")
    assert not TimeEntry.objects.exists()
    screenshot(page, "bad-minutes")

    box.get_by_label("Tiempo dedicado (minutos)").fill("20")
    box.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")
    box = page.get_by_role("region", name="Nueva intervención")
    box.get_by_role("radio", name="Comentario interno").check()
    box.get_by_label("Mensaje").fill("El certificado vence en marzo: agendarlo.")
    box.get_by_label("Tiempo dedicado (minutos)").fill("15")
    box.get_by_role("button", name="Guardar comentario interno").click()
    expect(page.get_by_role("status")).to_contain_text("Guardaste un comentario interno")
    expect(page.locator(".ticket-time-spent")).to_have_text("35 min")
    history = page.get_by_role("region", name="Historial")
    expect(history.get_by_text("Tiempo dedicado: 20 min")).to_have_count(1)
    expect(history.get_by_text("Tiempo dedicado: 15 min")).to_have_count(1)
    assert_no_horizontal_overflow(page)
    screenshot(page, "request")

    # The client sees the answer, never the minutes.
    page.context.clear_cookies()
    log_in(client)
    page.goto(ticket.get_absolute_url())
    expect(page.get_by_text("Reinstalé el certificado de AFIP; probá de nuevo.")).to_be_visible()
    expect(page.get_by_text("Tiempo dedicado")).to_have_count(0)
    expect(page.get_by_label("Tiempo dedicado (minutos)")).to_have_count(0)

    # Many other client companies with a little time each: the page shows the 25 with the most.
    colleague = OperatorFactory(full_name="Tomás Gil")
    support = TopicFactory(name="Soporte técnico", operators=[colleague])
    for n in range(time_spent.COMPANIES_SHOWN + 1):
        other = InProgressTicketFactory(topic=support, company=CompanyFactory(name=f"Cliente {n:02d}"))
        note = InterventionFactory(ticket=other, author=colleague)
        TimeEntry.objects.create(intervention=note, ticket=other, author=colleague, topic=support,
                                 company=other.company, minutes=5, at=note.created_at)
    report_summary.rebuild_time()  # those records were written around the services

    page.context.clear_cookies()
    log_in(admin)
    page.goto("/")
    open_menu(page)
    page.get_by_role("link", name="Informes").click()
    today = timezone.localdate().strftime("%d/%m/%Y")
    page.goto(f"/informes/?desde={today}&hasta={today}")
    per_user = page.get_by_role("region", name="Tabla tiempo dedicado por usuario")
    expect(per_user.get_by_role("row", name="Sofía Ruiz")).to_contain_text("35 min")
    per_company = page.get_by_role("region", name="Tabla tiempo dedicado por empresa")
    expect(per_company.get_by_role("row", name="Panadería La Espiga (30-71234567-1)")).to_contain_text("35 min")
    expect(per_company.locator("tbody tr")).to_have_count(time_spent.COMPANIES_SHOWN)
    expect(page.get_by_text("Se ven las 25 empresas con más tiempo dedicado de 27; las descargas traen todas.")
           ).to_be_visible()
    per_topic = page.get_by_role("region", name="Tabla tiempo dedicado por temática")
    expect(per_topic.get_by_role("row", name="Facturación electrónica")).to_contain_text("35 min")
    assert_no_horizontal_overflow(page)
    screenshot(page, "reports")
    name = re.sub(r"[^\w.-]+", "-", page.test_name).strip("-")
    for section in ("tiempo", "tiempo-usuario", "tiempo-empresa"):  # the new sections up close
        page.locator(f"section[aria-labelledby='{section}-titulo']").screenshot(
            path=SCREENSHOTS / f"{name}-{section}.png")
