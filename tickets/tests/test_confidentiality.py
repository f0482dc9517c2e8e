"""Internal comments never reach the client: a unique string in an internal comment and in an internal
file's name (and content) must not appear in any page, email, download or count the client can reach.

Where it looks: every page the client can open (inbox, the request page in Spanish and in English, the
new request page, the request page after a reply with an error), every response they get after their
own POSTs, every file id of the request through the download URL, every outbox row addressed to them
(subject, text, HTML, attachments, headers), and the number of messages and files on their page.
The same string is checked to reach the operators, so the test can fail.
"""

import uuid

import pytest
from django.urls import reverse

from mail.models import OutboxMessage
from tickets import services
from tickets.models import Attachment, Intervention, State
from tickets.tests.conftest import checked, png, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def real_outbox(settings):
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"


def mail_text(row):
    parts = [row.subject, row.body, str(row.headers), *(content for content, _ in row.alternatives)]
    parts += [str(attachment) for attachment in row.attachments]
    return "\n".join(parts)


def test_an_internal_comment_never_reaches_the_client(client, new_world, real_outbox):
    world = new_world
    secret = f"SECRETO-{uuid.uuid4().hex}"
    requester, operator = world["requester"], world["topic operator"]
    ticket, _ = services.create(by=requester, topic=world.topic, subject="Factura", description="Llegó doble.",
                                files=[checked(png("captura.png"))])
    services.take(ticket, by=operator)
    services.comment_internally(ticket, by=operator, body=f"No decirle al cliente: {secret}",
                                files=[checked(upload(f"{secret}.txt", f"interno {secret}".encode()))])
    services.comment_internally(ticket, by=world["administrator"], body=f"De acuerdo ({secret})")
    services.reply(ticket, by=operator, body="Estamos revisando la factura.")
    services.close(ticket, by=operator, message="Emitimos la nota de crédito.")
    services.reply(ticket, by=requester, body="Gracias, pero falta otra.")  # reopens

    # The operators did get it: the test is able to see the string where it is.
    staff_mail = "\n".join(mail_text(row) for row in OutboxMessage.objects.all() if row.to != [requester.email])
    assert secret in staff_mail
    client.force_login(operator)
    assert secret in client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    client.logout()

    client.force_login(requester)
    seen = []
    detail_url = reverse("tickets:detail", args=[ticket.number])
    for url in (reverse("tickets:inbox"), detail_url, reverse("tickets:create")):
        response = client.get(url)
        assert response.status_code == 200
        seen.append(response.content.decode())
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": ""})  # comes back with errors
    seen.append(response.content.decode())
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Otro dato"}, follow=True)
    seen.append(response.content.decode())
    client.cookies["django_language"] = "en"
    seen.append(client.get(detail_url).content.decode())
    del client.cookies["django_language"]

    for attachment in Attachment.objects.filter(ticket=ticket):
        response = client.get(reverse("tickets:download", args=[ticket.number, attachment.pk]))
        if attachment.intervention_id and attachment.intervention.internal:
            assert response.status_code == 404
            seen.append(response.content.decode())
        else:
            assert response.status_code == 200
            seen.append(b"".join(response.streaming_content).decode("latin-1") + response["Content-Disposition"])

    client_mail = [mail_text(row) for row in OutboxMessage.objects.order_by("id") if requester.email in row.to]
    assert len(client_mail) == 3  # the receipt, the operator's public reply, the closing message
    seen.extend(client_mail)

    for text in seen:
        assert secret not in text
        assert "No decirle al cliente" not in text

    # Counts: the client's page shows exactly the public messages and files.
    page = client.get(detail_url).content.decode()
    public_messages = Intervention.objects.filter(ticket=ticket, internal=False).count() + 1  # + the description
    assert page.count('<article class="message') == public_messages
    public_files = Attachment.objects.filter(ticket=ticket).exclude(intervention__internal=True).count()
    assert page.count('class="attachment"') == public_files == 1
    assert 'message-internal' not in page
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS

