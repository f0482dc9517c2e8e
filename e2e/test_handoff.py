"""An administrator deactivates an operator who holds open requests and passes them to a colleague on the
same page; the client writes; the new assignee is the one emailed (issue 11)."""

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from mail.models import OutboxMessage
from tickets import services
from tickets.models import State, Ticket
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def mail_through_the_outbox(settings):
    from mail import outbox

    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbox._broker_paused_until = 0.0
    cache.clear()


def test_deactivating_an_operator_passes_their_requests_to_a_colleague(page, log_in, live_server):
    admin = verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))
    leaving = verified(OperatorFactory(email="martin@demo.sysmo.ar", full_name="Martín Gómez"))
    staying = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Soporte técnico", operators=[leaving, staying])
    client = verified(ClientFactory(email="valeria@espiga.com.ar", full_name="Valeria Acosta"))
    held = []
    for subject in ("No imprime la factura", "VPN caída"):
        ticket, _ = services.create(by=client, topic=topic, subject=subject, description="Ayuda, por favor.")
        services.take(ticket, by=leaving)
        held.append(ticket)

    log_in(admin)
    page.goto(f"/usuarios/{leaving.pk}/")
    actions = page.get_by_role("region", name="Acciones")
    expect(actions).to_contain_text("Tiene 2 solicitudes abiertas asignadas")
    deactivate_form = page.locator("form", has=page.get_by_role("button", name="Desactivar cuenta"))
    deactivate_form.get_by_label("Pasan a otra persona").check()
    deactivate_form.get_by_label("Pasárselas a").select_option(label="Sofía Ruiz · sofia@demo.sysmo.ar")
    assert_no_horizontal_overflow(page)
    screenshot(page, "choice")
    deactivate_form.get_by_role("button", name="Desactivar cuenta").click()
    expect(page.get_by_role("alert")).to_contain_text("2 solicitudes pasaron a Sofía Ruiz")
    expect(page.get_by_role("main")).to_contain_text("Desactivada")
    screenshot(page, "done")
    assert {t.assignee_id for t in Ticket.objects.filter(pk__in=[t.pk for t in held])} == {staying.pk}

    # The client writes on one of them: Sofía, the new assignee, is emailed; Martín is not.
    OutboxMessage.objects.all().delete()
    mail.outbox.clear()
    page.context.clear_cookies()
    log_in(client)
    page.goto(held[0].get_absolute_url())
    expect(page.get_by_role("main")).to_contain_text("Sofía Ruiz")
    page.get_by_role("region", name="Escribir una respuesta").get_by_label("Mensaje").fill("¿Pudieron verlo?")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")
    recipients = [address for row in OutboxMessage.objects.all() for address in row.to]
    assert recipients == ["sofia@demo.sysmo.ar"]
    assert Ticket.objects.get(pk=held[0].pk).state == State.IN_PROGRESS
