"""The administrators' /correo/ pages for what arrived, and reading any message with its secrets masked."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from mail import inbound, replies
from mail.models import InboundMessage, OutboxMessage
from mail.tests import messages

pytestmark = pytest.mark.django_db
USERS = {"client": ClientFactory, "operator": OperatorFactory}
CONFIRM = "http://testserver/accounts/confirm-email/MQ:1tXyZa:abcDEF123456789xyz/"
RESET = "http://testserver/accounts/password/reset/key/1-cbx8h2-0a1b2c3d4e5f6a7b8c9d/"


@pytest.fixture
def stored(settings):
    settings.INBOUND_ADDRESS = "soporte@sysmo.example.com.ar"
    token_address = replies.reply_address(42, 7)
    refused, _created = inbound.receive(messages.build(
        sender="Impostor <impostor@example.net>", to=token_address, subject="Quiero entrar",
        html=f"<p>Mirá <a href='{RESET}'>{RESET}</a></p><script>alert(1)</script>",
    ))
    automatic, _created = inbound.receive(messages.build(
        sender="rita@example.com", to=token_address, subject="Fuera de la oficina", text="Vuelvo el lunes.",
        headers={"Auto-Submitted": "auto-replied"},
    ))
    return refused, automatic


@pytest.fixture
def sent_verification():
    return OutboxMessage.objects.create(
        message_id="<v1@test>", from_email="Sysmo <no-responder@localhost>", to=["ana@example.com"],
        reply_to=[replies.reply_address(42, 7)], subject="Confirmá tu correo electrónico",
        body=f"Hola:\nConfirmá tu correo: {CONFIRM}\nOlvidaste la clave: {RESET}\nTu solicitud: "
             "http://testserver/solicitudes/42/\n",
    )


@pytest.mark.parametrize("who", ["anonymous", "client", "operator"])
def test_only_administrators_read_mail(client, stored, sent_verification, who):
    if who != "anonymous":
        client.force_login(USERS[who]())
    for url in (reverse("mail:inbound"), reverse("mail:inbound_detail", args=[stored[0].pk]),
                reverse("mail:outbox_detail", args=[sent_verification.pk])):
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 404)


def test_the_inbound_list_shows_each_message_with_its_state_and_reason(client, stored, django_assert_max_num_queries):
    client.force_login(AdminFactory())
    with django_assert_max_num_queries(8):
        page = client.get(reverse("mail:inbound")).content.decode()
    assert "Quiero entrar" in page and "Fuera de la oficina" in page
    assert page.count("badge-soft-danger") == 2
    assert "La solicitud o la persona de la dirección de respuesta ya no existe." in page
    assert "Mensaje automático (Auto-Submitted: auto-replied)" in page
    refused_only = client.get(reverse("mail:inbound"), {"estado": "refused"}).context["page"].object_list
    assert len(refused_only) == 2
    assert list(client.get(reverse("mail:inbound"), {"estado": "processed"}).context["page"].object_list) == []


def test_an_administrator_reads_a_received_message_as_safe_text_with_links_masked(client, stored):
    client.force_login(AdminFactory())
    page = client.get(reverse("mail:inbound_detail", args=[stored[0].pk])).content.decode()
    assert "impostor@example.net" in page
    assert "0a1b2c3d4e5f6a7b8c9d" not in page and "/accounts/password/reset/key/••••/" in page
    assert "<script>alert" not in page
    assert replies.reply_address(42, 7) not in page  # the token's signature is masked


def test_an_administrator_reads_a_sent_message_with_verification_and_reset_links_masked(client, sent_verification):
    client.force_login(AdminFactory())
    page = client.get(reverse("mail:outbox_detail", args=[sent_verification.pk])).content.decode()
    assert "Confirmá tu correo" in page
    assert "abcDEF123456789xyz" not in page and "cbx8h2" not in page
    assert "/accounts/confirm-email/••••/" in page
    assert "http://testserver/solicitudes/42/" in page  # ordinary links stay readable
    assert replies.reply_address(42, 7) not in page
    assert ' style="' not in page


def test_the_outbox_links_each_message_to_its_page(client, sent_verification):
    client.force_login(AdminFactory())
    page = client.get(reverse("mail:outbox")).content.decode()
    assert reverse("mail:outbox_detail", args=[sent_verification.pk]) in page
    assert reverse("mail:inbound") in page
    assert InboundMessage.objects.count() == 0
