"""The last few public messages under the new one in every email about a request (issue 12, item 6), and
never an internal comment in an email to a client (tickets.notifications.earlier_messages)."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import OperatorFactory
from mail.models import OutboxMessage
from tickets import notifications, services
from tickets.moves import Move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

SECRET = "El cliente debe tres facturas, no decirle."


def emails_to(person):
    return [message for message in mail.outbox if message.to == [person.email]]


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_a_client_email_after_an_internal_comment_and_a_public_reply_shows_only_public_messages(world):
    ticket, client, assignee = world.ticket, world["requester"], world["assignee"]
    services.reply(ticket, by=assignee, body="¿Nos mandás el número de la factura?")
    services.comment_internally(ticket, by=assignee, body=SECRET)
    services.reply(ticket, by=client, body="Es la 0001-00004567.")
    mail.outbox.clear()
    services.reply(ticket, by=assignee, body="Ya la anulamos.")
    [email] = emails_to(client)
    for part in (email.body, html_of(email)):
        assert "Ya la anulamos." in part
        assert "Mensajes anteriores" in part
        # The three public messages before it, newest first; the internal comment is not one of them.
        positions = [part.index(text) for text in (
            "Es la 0001-00004567.", "¿Nos mandás el número de la factura?", "Nos llegó dos veces la factura")]
        assert positions == sorted(positions)
        assert "Rita Requirente" in part
        assert SECRET not in part and "tres facturas" not in part
    # The new message is not repeated among the earlier ones.
    assert email.body.count("Ya la anulamos.") == 1


def test_a_staff_notice_of_an_internal_comment_shows_it_and_the_public_messages_before_it(world):
    ticket, client = world.ticket, world["requester"]
    services.reply(ticket, by=client, body="¿Novedades?")
    mail.outbox.clear()
    services.comment_internally(ticket, by=world["topic operator"], body=SECRET)
    [email] = emails_to(world["assignee"])
    assert SECRET in email.body and SECRET in html_of(email)
    earlier = email.body.split("Mensajes anteriores", 1)[1]
    assert "¿Novedades?" in earlier and "Nos llegó dos veces la factura de marzo." in earlier
    assert SECRET not in earlier
    assert not emails_to(client)


def test_the_first_answer_shows_the_request_s_description_and_a_receipt_shows_no_context(world):
    client = world["requester"]
    services.create(by=client, topic=world.topic, subject="Otra", description="La descripción nueva.")
    [receipt] = emails_to(client)
    assert "Mensajes anteriores" not in receipt.body
    mail.outbox.clear()
    services.reply(world.ticket, by=world["assignee"], body="Lo vemos.")
    [email] = emails_to(client)
    earlier = email.body.split("Mensajes anteriores", 1)[1]
    assert "Rita Requirente" in earlier and "Nos llegó dos veces la factura de marzo." in earlier


def test_only_the_last_three_earlier_messages_are_shown_each_shortened(world):
    ticket, client, assignee = world.ticket, world["requester"], world["assignee"]
    long_text = "Detalle " + "muy largo " * 200 + "FINAL"
    for n in range(4):
        services.reply(ticket, by=client if n % 2 else assignee, body=f"Mensaje {n}. {long_text}")
    mail.outbox.clear()
    services.reply(ticket, by=assignee, body="El último.")
    [email] = emails_to(client)
    earlier = email.body.split("Mensajes anteriores", 1)[1]
    assert [n for n in range(4) if f"Mensaje {n}." in earlier] == [1, 2, 3]
    assert "Nos llegó dos veces" not in earlier  # the description is older than the three shown
    assert "FINAL" not in earlier and "…" in earlier
    assert len(earlier) < 3 * (notifications.EARLIER_MAX_CHARACTERS + 100) + 300


def test_the_context_is_in_the_recipient_s_language(world):
    ticket, client = world.ticket, world["requester"]
    ticket.created_at = ticket.created_at.replace(month=12, day=1, hour=15)
    ticket.save(update_fields=["created_at"])
    for language, month in (("en", "Dec"), ("es-ar", "Dic")):
        client.language = language
        client.save(update_fields=["language"])
        mail.outbox.clear()
        services.reply(ticket, by=world["assignee"], body="Seguimos.")
        [email] = emails_to(client)
        assert email.extra_headers["Content-Language"] == language
        for part in (email.body, html_of(email)):
            earlier = part.split("Nos llegó dos veces", 1)[0]
            assert f"1 {month} {ticket.created_at.year}" in earlier


def test_the_context_is_read_and_the_emails_written_once_whatever_the_number_of_recipients(world, settings):
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"  # as in production: rows in the outbox
    ticket = world.ticket
    services.reply(ticket, by=world["requester"], body="¿Novedades?")
    ticket.requester  # noqa: B018 (the request as services hand it: its requester already read)

    def queries_for(people):
        told = [(person, "ticket_internal") for person in people]
        with CaptureQueriesContext(connection) as queries:
            notifications.send(told, ticket, move=Move.COMMENT, by=world["assignee"])
        return len(queries)

    few = queries_for([world["assignee"]])
    many = queries_for([world["assignee"], world["topic operator"], world["administrator"],
                        *(OperatorFactory() for _ in range(3))])
    assert few == many
    assert OutboxMessage.objects.filter(subject__startswith="Comentario interno").count() == 7
