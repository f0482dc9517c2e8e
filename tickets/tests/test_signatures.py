"""Signatures: an operator's goes under their public answers (page and email, web and email-in), copied when
written; never under internal comments nor clients' messages. Edited on Mi perfil, by staff only."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services as account_services
from tickets import selectors, services
from tickets.models import Intervention

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

SIGNATURE = "Ana Asignada\nMesa de ayuda · int. 204"


@pytest.fixture
def signed(world):
    account_services.update_signature(world["assignee"], signature=SIGNATURE)
    return world


def emails_to(person):
    return [message for message in mail.outbox if person.email in message.to]


def test_a_public_answer_carries_the_signature_on_the_page_and_in_the_email(client, signed):
    world = signed
    services.reply(world.ticket, by=world["assignee"], body="Ya corregimos la factura.")
    assert Intervention.objects.get().signature == SIGNATURE
    client.force_login(world["requester"])
    html = client.get(reverse("tickets:detail", args=[world.ticket.number])).content.decode()
    assert "Ana Asignada<br>Mesa de ayuda · int. 204" in html
    [email] = emails_to(world["requester"])
    assert "Ya corregimos la factura.\n\n-- \nAna Asignada\nMesa de ayuda · int. 204" in email.body
    assert "Mesa de ayuda · int. 204" in email.alternatives[0][0]


def test_a_closing_message_carries_it_too(signed):
    world = signed
    services.close(world.ticket, by=world["assignee"], message="Quedó resuelto.")
    assert Intervention.objects.get().signature == SIGNATURE
    [email] = emails_to(world["requester"])
    assert "Quedó resuelto.\n-- \nAna Asignada" in email.body


def test_an_internal_comment_never_carries_it(client, signed):
    world = signed
    services.comment_internally(world.ticket, by=world["assignee"], body="Revisar el CAE.")
    assert Intervention.objects.get().signature == ""
    client.force_login(world["topic operator"])
    assert "int. 204" not in client.get(reverse("tickets:detail", args=[world.ticket.number])).content.decode()
    assert not any("int. 204" in message.body for message in mail.outbox)


def test_a_clients_message_never_carries_one(world):
    # Even a value left from when the person was staff: clients' messages are theirs alone.
    world["requester"].signature = "Firma vieja"
    world["requester"].save()
    services.reply(world.ticket, by=world["requester"], body="Sigue fallando.")
    assert Intervention.objects.get().signature == ""
    assert not any("Firma vieja" in message.body for message in mail.outbox)


def test_the_history_keeps_the_signature_it_was_sent_with(signed):
    world = signed
    services.reply(world.ticket, by=world["assignee"], body="Primera.")
    account_services.update_signature(world["assignee"], signature="Ana · Facturación")
    services.reply(world.ticket, by=world["assignee"], body="Segunda.")
    entries = [entry for entry in selectors.timeline(world.ticket, world["requester"]) if entry.kind == "message"]
    assert [(entry.body, entry.signature) for entry in entries] == [("Primera.", SIGNATURE),
                                                                   ("Segunda.", "Ana · Facturación")]


def test_an_answer_by_email_from_staff_carries_it(signed, settings):
    from mail import inbound, replies
    from mail.tests import messages

    settings.INBOUND_ADDRESS = "Sysmo Tickets <soporte@sysmo.example.com.ar>"
    world = signed
    person = world["assignee"]
    message, _created = inbound.receive(messages.build(
        sender=f"{person.full_name} <{person.email}>", to=replies.reply_address(world.ticket.number, person.pk, False),
        text="Lo revisamos hoy."))
    assert message.state == message.State.PROCESSED, message.reason
    assert Intervention.objects.get().signature == SIGNATURE


def test_the_signature_is_html_escaped_on_the_page(client, world):
    account_services.update_signature(world["assignee"], signature='<script>alert("x")</script>')
    services.reply(world.ticket, by=world["assignee"], body="Hola.")
    client.force_login(world["requester"])
    html = client.get(reverse("tickets:detail", args=[world.ticket.number])).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


# --- Mi perfil ------------------------------------------------------------------------------------------------


def test_staff_write_their_signature_on_their_profile(client, world):
    client.force_login(world["assignee"])
    assert "signature_form" in client.get(reverse("accounts:profile")).context
    response = client.post(reverse("accounts:signature"), {"signature": "  Ana\nFacturación  "})
    assert response.status_code == 302
    world["assignee"].refresh_from_db()
    assert world["assignee"].signature == "Ana\nFacturación"


@pytest.mark.parametrize(("text", "said"), [("x" * 501, "Puede tener hasta 500 caracteres (tiene 501)."),
                                            ("a\nb\nc\nd\ne\nf\ng", "Puede tener hasta 6 líneas.")])
def test_a_signature_too_long_is_refused_next_to_the_field(client, world, text, said):
    client.force_login(world["assignee"])
    response = client.post(reverse("accounts:signature"), {"signature": text})
    assert response.status_code == 400
    assert response.context["signature_form"].errors["signature"] == [said]
    world["assignee"].refresh_from_db()
    assert world["assignee"].signature == ""


def test_clients_have_no_signature_and_cannot_post_one(client, world):
    client.force_login(world["requester"])
    assert client.get(reverse("accounts:profile")).context["signature_form"] is None
    assert client.post(reverse("accounts:signature"), {"signature": "Rita"}).status_code == 404
    world["requester"].refresh_from_db()
    assert world["requester"].signature == ""


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(reverse("accounts:signature"), {"signature": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_erasing_a_staff_members_data_blanks_their_signature_and_its_copies(signed):
    from privacy import services as privacy_services
    from privacy.models import DeletionRequest

    world = signed
    services.reply(world.ticket, by=world["assignee"], body="Ya está.")
    deletion = DeletionRequest.objects.create(user=world["assignee"])
    privacy_services.erase(deletion, by=world["administrator"])
    world["assignee"].refresh_from_db()
    assert world["assignee"].signature == ""
    assert list(Intervention.objects.values_list("body", "signature")) == [("Ya está.", "")]
