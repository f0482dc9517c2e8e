"""Answers and requests by email (mail.inbound → tickets.email_in): the cases of issue 12, each a kind of
fault: who may write through a token, machines' messages, attachments, duplicates, new requests."""

import pytest
from django.core import mail as sent

from accounts.tests.factories import ClientFactory, verified
from mail import inbound, replies
from mail.models import InboundMessage
from mail.tests import messages
from tickets.models import Attachment, Channel, Intervention, Ticket
from tickets.tests.conftest import pdf_bytes, png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]
State = InboundMessage.State
INBOUND = "soporte@sysmo.example.com.ar"


@pytest.fixture(autouse=True)
def inbound_address(settings):
    settings.INBOUND_ADDRESS = f"Sysmo Tickets <{INBOUND}>"
    settings.DEFAULT_FROM_EMAIL = "Sysmo Tickets <no-responder@sysmo.example.com.ar>"


def answer_to(world, who, *, internal=False, sender=None, text="Gracias, ya lo probé.", **fields):
    person = world[who]
    address = replies.reply_address(world.ticket.number, person.pk, internal)
    return messages.build(sender=sender or f"{person.full_name} <{person.email}>", to=address, text=text, **fields)


def interventions(world):
    return list(Intervention.objects.filter(ticket=world.ticket).order_by("id"))


@pytest.mark.parametrize("quote", [messages.GMAIL_QUOTE, messages.OUTLOOK_QUOTE, messages.APPLE_QUOTE],
                         ids=["gmail", "outlook", "apple mail"])
def test_a_clients_answer_becomes_a_public_intervention_without_the_quoted_history(world, quote):
    address = replies.reply_address(world.ticket.number, world["requester"].pk)
    raw = messages.build(sender=world["requester"].email, to=address,
                         text="Gracias, ya lo probé y funciona.\n\n" + quote.format(reply_to=address))
    message, created = inbound.receive(raw, "test")
    assert created and message.state == State.PROCESSED, message.reason
    [intervention] = interventions(world)
    assert (intervention.author, intervention.body, intervention.internal) == (
        world["requester"], "Gracias, ya lo probé y funciona.", False)
    assert message.result == f"Respuesta en la solicitud #{world.ticket.number}"
    # The assignee is told, as with an answer on the web; the client gets nothing back.
    assert [m.to for m in sent.outbox] == [[world["assignee"].email]]


def test_an_answer_with_an_attachment_keeps_it_and_names_a_refused_one(world):
    raw = answer_to(world, "requester", text="Van la captura y la factura.", attachments=[
        ("captura.png", png_bytes(), "image/png"), ("factura.pdf", pdf_bytes(), "application/pdf"),
        ("programa.exe", b"MZ\x90\x00 not a document", "application/octet-stream"),
        ("falsa.png", b"<html><script>alert(1)</script></html>", "image/png"),
    ])
    message, _created = inbound.receive(raw)
    assert message.state == State.PROCESSED, message.reason
    [intervention] = interventions(world)
    assert sorted(Attachment.objects.filter(intervention=intervention).values_list("original_name", flat=True)) == [
        "captura.png", "factura.pdf"]
    assert intervention.body.startswith("Van la captura y la factura.\n\nAdjuntos no aceptados:")
    assert "«programa.exe»" in intervention.body and "«falsa.png»" in intervention.body


def test_the_same_message_delivered_twice_makes_one_intervention(world):
    raw = answer_to(world, "requester")
    first, created_first = inbound.receive(raw)
    second, created_second = inbound.receive(raw)
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert len(interventions(world)) == 1
    assert InboundMessage.objects.count() == 1


def test_an_answer_in_windows_1252_is_read_right(world):
    person = world["requester"]
    raw = messages.windows_1252(sender=person.email, text="Pagamos 1.500 € el “martes”.",
                                to=replies.reply_address(world.ticket.number, person.pk))
    assert inbound.receive(raw)[0].state == State.PROCESSED
    assert interventions(world)[0].body == "Pagamos 1.500 € el “martes”."


def test_an_answer_to_an_internal_notice_stays_internal(world):
    message, _created = inbound.receive(answer_to(world, "assignee", internal=True, text="Lo veo mañana."))
    assert message.state == State.PROCESSED, message.reason
    [intervention] = interventions(world)
    assert (intervention.author, intervention.internal) == (world["assignee"], True)
    assert world["requester"].email not in [address for m in sent.outbox for address in m.to]


def forged_sender(world):
    return answer_to(world, "requester", sender="Impostor <impostor@example.net>")


def someone_elses_token(world):
    """Carlos writes from his own address through Rita's token."""
    return answer_to(world, "requester", sender=world["another client"].email)


def deactivated(world):
    world["requester"].is_active = False
    world["requester"].save()
    return answer_to(world, "requester")


def operator_off_the_topic(world):
    """Olga was told about the request, then taken off its topic: she can no longer see it."""
    world.topic.operators.remove(world["topic operator"])
    return answer_to(world, "topic operator", internal=True)


def client_with_an_internal_token(world):
    """A token is signed: a client cannot turn their public one into an internal one."""
    token = replies.make_token(world.ticket.number, world["requester"].pk).replace("-p-", "-i-")
    return messages.build(sender=world["requester"].email, to=f"soporte+{token}@sysmo.example.com.ar", text="Hola")


def out_of_office(world):
    return answer_to(world, "requester", text="Estoy de vacaciones hasta el lunes.",
                     subject="Respuesta automática: Nueva respuesta", headers={"Auto-Submitted": "auto-replied"})


def bounce(world):
    return messages.bounce(to=replies.reply_address(world.ticket.number, world["requester"].pk),
                           original_to=world["requester"].email)


def from_our_own_address(world):
    return answer_to(world, "requester", sender=f"Sysmo Tickets <{INBOUND}>")


@pytest.mark.parametrize("make, reason", [
    (forged_sender, "pero la dirección de respuesta es de"),
    (someone_elses_token, "pero la dirección de respuesta es de"),
    (deactivated, "desactivada"),
    (operator_off_the_topic, "ya no puede escribir"),
    (client_with_an_internal_token, "firma incorrecta"),
    (out_of_office, "Mensaje automático"),
    (bounce, "Mensaje automático"),
    (from_our_own_address, "nuestra propia dirección"),
], ids=lambda value: getattr(value, "__name__", ""))
def test_what_may_not_write_is_refused_with_its_reason_creates_nothing_and_is_not_answered(world, make, reason):
    message, _created = inbound.receive(make(world))
    assert message.state == State.REFUSED
    assert reason in message.reason
    assert interventions(world) == []
    assert sent.outbox == [] and not message.answered
    assert InboundMessage.objects.get().raw  # kept, for the administrators


def test_a_sender_over_the_rate_limit_is_refused(world, settings):
    settings.INBOUND_RATE_LIMIT = 2
    results = [inbound.receive(answer_to(world, "requester", text=f"Mensaje {n}"))[0] for n in range(3)]
    assert [message.state for message in results] == [State.PROCESSED, State.PROCESSED, State.REFUSED]
    assert "Demasiados mensajes" in results[-1].reason
    assert len(interventions(world)) == 2


def test_a_verified_client_files_a_request_by_writing_to_the_topics_address(world):
    client = verified(ClientFactory(full_name="Carla Nueva", email="carla@example.com"))
    raw = messages.build(sender="Carla <CARLA@example.com>", to="soporte+facturacion@sysmo.example.com.ar",
                         subject="No me llegó la factura de abril", text="Hola, no me llegó la factura de abril.",
                         attachments=[("remito.pdf", pdf_bytes(), "application/pdf")])
    message, _created = inbound.receive(raw)
    assert message.state == State.PROCESSED, message.reason
    ticket = Ticket.objects.get(requester=client)
    assert (ticket.topic, ticket.subject, ticket.description, ticket.channel) == (
        world.topic, "No me llegó la factura de abril", "Hola, no me llegó la factura de abril.", Channel.EMAIL)
    assert list(ticket.attachments.values_list("original_name", flat=True)) == ["remito.pdf"]
    receipt = next(m for m in sent.outbox if m.to == [client.email])
    assert f"#{ticket.number}" in receipt.subject
    assert replies.token_in(receipt.reply_to).thread == ticket.number  # answering the receipt threads


@pytest.mark.parametrize("who", ["unknown", "unverified"])
def test_an_unknown_or_unverified_sender_gets_one_polite_answer_a_day_and_nothing_is_created(world, who):
    if who == "unverified":
        ClientFactory(email="nadie@example.com")
    tickets_before = Ticket.objects.count()
    for n in range(2):
        raw = messages.build(sender="nadie@example.com", to="soporte+facturacion@sysmo.example.com.ar",
                             subject=f"Pedido {n}", text="Necesito ayuda.")
        message, _created = inbound.receive(raw)
        assert message.state == State.REFUSED and "no es un cliente registrado" in message.reason
    assert Ticket.objects.count() == tickets_before
    [answer] = sent.outbox
    assert answer.to == ["nadie@example.com"]
    assert "/accounts/signup/" in answer.body
    assert InboundMessage.objects.filter(answered=True).count() == 1
