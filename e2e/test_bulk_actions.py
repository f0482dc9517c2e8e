"""Bulk actions in the trays (issue 14, item 2): an operator ticks requests, closes them with one message, and
is told what was done and what was refused and why (here: one a colleague closed in the meantime)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets import services, tray_counts
from tickets.models import State, Ticket
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_operator_closes_several_requests_with_one_message(page, log_in):
    sofia = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    bruno = OperatorFactory(email="bruno@demo.sysmo.ar", full_name="Bruno Díaz")
    support = TopicFactory(name="Soporte técnico", operators=[sofia, bruno])
    valeria = ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta")
    printer, invoice, wifi = (TicketFactory(topic=support, requester=valeria, subject=subject)
                              for subject in ("No imprime la factura", "Factura duplicada", "Se corta el wifi"))
    tray_counts.rebuild()

    log_in(sofia)
    page.goto("/solicitudes/?bandeja=sin_asignar")
    fold = page.locator("summary", has_text="Acciones en bloque")
    if fold.is_visible():  # a phone: the bar is one line until opened, the cards stay on the first screen
        page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{printer.number}").check()
        expect(fold).to_have_text("Acciones en bloque (1)")
        page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{printer.number}").uncheck()
        screenshot(page, "folded")
        fold.click()
    bar = page.get_by_role("form", name="Acciones con las seleccionadas")
    expect(bar.get_by_text("Ninguna seleccionada")).to_be_visible()
    bar.get_by_label("Todas las de esta página").check()
    expect(bar.get_by_text("3 seleccionadas")).to_be_visible()
    bar.get_by_label("Todas las de esta página").uncheck()
    expect(bar.get_by_text("Ninguna seleccionada")).to_be_visible()

    for ticket in (printer, invoice, wifi):
        page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{ticket.number}").check()
    expect(bar.get_by_text("3 seleccionadas")).to_be_visible()
    page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{wifi.number}").uncheck()
    expect(bar.get_by_text("2 seleccionadas")).to_be_visible()
    expect(bar.get_by_label("Mensaje de cierre (opcional)")).to_be_hidden()  # only for «Cerrar»
    bar.get_by_label("Con las seleccionadas").select_option(label="Cerrar")
    bar.get_by_label("Mensaje de cierre (opcional)").fill("Quedó resuelto con la actualización de hoy.")
    page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{wifi.number}").check()
    assert_no_horizontal_overflow(page)
    screenshot(page, "chosen")

    services.close(Ticket.objects.get(pk=wifi.pk), by=bruno)  # Bruno, while Sofía writes
    mail.outbox.clear()
    bar.get_by_role("button", name="Aplicar a las seleccionadas").click()

    expect(page.get_by_role("alert").filter(has_text="Cerraste 2 solicitudes.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="1 no se pudo")).to_contain_text(
        f"#{wifi.number}: La solicitud ya está cerrada.")
    assert page.url.endswith("/solicitudes/?bandeja=sin_asignar")
    assert_no_horizontal_overflow(page)
    screenshot(page, "done")
    for ticket in (printer, invoice):
        ticket.refresh_from_db()
        assert (ticket.state, ticket.closed_by) == (State.CLOSED, sofia)
        assert ticket.interventions.get().body == "Quedó resuelto con la actualización de hoy."
    assert sorted(m.to[0] for m in mail.outbox if "Quedó resuelto" in m.body) == ["valeria@espiga.com.ar"] * 2
    assert Ticket.objects.get(pk=wifi.pk).closed_by == bruno


def test_without_its_script_the_bar_still_works(page, log_in):
    """The closing message shows too, and is used only for «Cerrar»; the choice of a person is in the one select."""
    sofia = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    bruno = OperatorFactory(email="bruno@demo.sysmo.ar", full_name="Bruno Díaz")
    support = TopicFactory(name="Soporte técnico", operators=[sofia, bruno])
    valeria = ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta")
    first, second = (TicketFactory(topic=support, requester=valeria, subject=subject)
                     for subject in ("No imprime la factura", "Factura duplicada"))
    tray_counts.rebuild()
    page.route("**/js/bulk.js", lambda route: route.fulfill(body="", content_type="text/javascript"))

    log_in(sofia)
    page.goto("/solicitudes/?bandeja=sin_asignar")
    fold = page.locator("summary", has_text="Acciones en bloque")
    if fold.is_visible():
        fold.click()
    bar = page.get_by_role("form", name="Acciones con las seleccionadas")
    expect(bar.get_by_label("Todas las de esta página")).to_be_hidden()
    expect(bar.get_by_label("Mensaje de cierre (opcional)")).to_be_visible()
    for ticket in (first, second):
        page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{ticket.number}").check()
    bar.get_by_label("Mensaje de cierre (opcional)").fill("No se manda: no es «Cerrar».")
    bar.get_by_label("Con las seleccionadas").select_option(label="Bruno Díaz")  # under «Asignar a»
    assert_no_horizontal_overflow(page)
    screenshot(page, "no-script")
    bar.get_by_role("button", name="Aplicar a las seleccionadas").click()

    expect(page.get_by_role("alert").filter(has_text="Asignaste 2 solicitudes.")).to_be_visible()
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.state) == (bruno, State.IN_PROGRESS)
        assert not ticket.interventions.exists()


def test_an_action_not_chosen_is_said_beside_the_select_and_the_ticks_stay(page, log_in):
    sofia = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    support = TopicFactory(name="Soporte técnico", operators=[sofia])
    printer, invoice = (TicketFactory(topic=support, subject=subject)
                        for subject in ("No imprime la factura", "Factura duplicada"))
    tray_counts.rebuild()

    log_in(sofia)
    page.goto("/solicitudes/?bandeja=sin_asignar")
    fold = page.locator("summary", has_text="Acciones en bloque")
    for ticket in (printer, invoice):
        page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{ticket.number}").check()
    if fold.is_visible():
        fold.click()
    bar = page.get_by_role("form", name="Acciones con las seleccionadas")
    bar.get_by_role("button", name="Aplicar a las seleccionadas").click()

    bar = page.get_by_role("form", name="Acciones con las seleccionadas")  # the same tray, the bar open
    choose = bar.get_by_label("Con las seleccionadas")
    expect(choose).to_have_attribute("aria-invalid", "true")
    expect(bar.get_by_text("Elegí qué hacer con las solicitudes seleccionadas.")).to_be_visible()
    for ticket in (printer, invoice):
        expect(page.get_by_role("checkbox", name=f"Seleccionar la solicitud #{ticket.number}")).to_be_checked()
    assert_no_horizontal_overflow(page)
    screenshot(page, "not-chosen")
    choose.select_option(label="Tomar")
    bar.get_by_role("button", name="Aplicar a las seleccionadas").click()
    expect(page.get_by_role("alert").filter(has_text="Tomaste 2 solicitudes.")).to_be_visible()
    assert set(Ticket.objects.filter(assignee=sofia).values_list("number", flat=True)) == {printer.number,
                                                                                          invoice.number}
