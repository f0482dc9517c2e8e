"""A conversation held from a mail app (issue 12): the client answers the receipt by email, the operator
reads it on the request page and answers on the web, the client answers that email too; every email of
the request threads as one conversation in the client's mail app."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from mail import inbound, replies
from mail.models import InboundMessage, OutboxMessage
from mail.tests import messages
from tickets import services
from tickets.models import Intervention
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CLIENT = "valeria@espiga.com.ar"


@pytest.fixture(autouse=True)
def mail_through_the_outbox(settings):
    from mail import outbox

    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.INBOUND_ADDRESS = "soporte@demo.sysmo.ar"
    outbox._broker_paused_until = 0.0


def last_email_to(address):
    return OutboxMessage.objects.filter(to=[address]).latest("id")


def answer_by_email(notice, text):
    """What Gmail sends when the client answers `notice`: to its Reply-To, in its thread, quoting it."""
    [reply_to] = notice.reply_to
    quote = messages.GMAIL_QUOTE.format(reply_to=reply_to)
    raw = messages.build(sender=f"Valeria Acosta <{CLIENT}>", to=reply_to, subject=f"Re: {notice.subject}",
                         text=f"{text}\n\n{quote}", headers={"In-Reply-To": notice.message_id,
                                                              "References": f"{notice.headers['References']} "
                                                                            f"{notice.message_id}"})
    message, created = inbound.receive(raw, source="imap")
    assert created and message.state == InboundMessage.State.PROCESSED, message.reason
    return message


def test_a_client_answers_by_email_and_the_operator_on_the_web(page, log_in):
    operator = verified(OperatorFactory(email="sofia@demo.sysmo.ar", full_name="Sofía Ruiz"))
    topic = TopicFactory(name="Soporte técnico", operators=[operator])
    client = verified(ClientFactory(email=CLIENT, full_name="Valeria Acosta"))
    ticket, _ = services.create(by=client, topic=topic, subject="No imprime la factura", description="Ayuda.")
    services.take(ticket, by=operator)

    receipt = last_email_to(CLIENT)
    answer_by_email(receipt, "La impresora es una Epson TM-T20 y muestra una luz roja.")

    log_in(operator)
    page.goto(ticket.get_absolute_url())
    history = page.get_by_role("region", name="Historial")
    expect(history).to_contain_text("La impresora es una Epson TM-T20 y muestra una luz roja.")
    expect(history).not_to_contain_text("escribió:")  # the quoted receipt was cut
    assert_no_horizontal_overflow(page)
    screenshot(page, "email-answer")
    box = page.get_by_role("region", name="Nueva intervención")
    box.get_by_label("Mensaje").fill("Valeria, apagala, sacá el rollo y volvé a ponerlo.")
    box.get_by_role("button", name="Responder", exact=True).click()
    expect(history).to_contain_text("apagala, sacá el rollo")

    notice = last_email_to(CLIENT)
    assert notice.pk != receipt.pk and "apagala, sacá el rollo" in notice.body
    answer_by_email(notice, "¡Listo, ya imprime! Gracias.")

    page.reload()
    expect(page.get_by_role("region", name="Historial")).to_contain_text("¡Listo, ya imprime! Gracias.")
    bodies = list(Intervention.objects.filter(ticket=ticket).order_by("id").values_list("author__email", "body"))
    assert bodies == [(CLIENT, "La impresora es una Epson TM-T20 y muestra una luz roja."),
                      (operator.email, "Valeria, apagala, sacá el rollo y volvé a ponerlo."),
                      (CLIENT, "¡Listo, ya imprime! Gracias.")]
    # In the client's mail app the receipt and the answer are one conversation, which her answers continue.
    root = replies.thread_root(ticket.number)
    assert receipt.headers["References"] == notice.headers["References"] == root
    assert receipt.message_id != notice.message_id

    # The administrator sees both answers on /correo/recibidos/.
    page.context.clear_cookies()
    log_in(AdminFactory(full_name="Laura Fernández"))
    page.goto("/correo/recibidos/")
    expect(page.get_by_role("main")).to_contain_text(f"Respuesta en la solicitud #{ticket.number}")
    assert_no_horizontal_overflow(page)
    screenshot(page, "inbound-list")
