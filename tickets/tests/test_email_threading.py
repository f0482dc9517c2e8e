"""Every email about a request can be answered and threads with the others (tickets.notifications)."""

import pytest

from mail import replies
from mail.models import OutboxMessage
from tickets import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def real_outbox(settings):
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.INBOUND_ADDRESS = "soporte@sysmo.example.com.ar"
    settings.SITE_URL = "https://tickets.sysmo.example.com.ar"


def test_all_emails_of_a_request_thread_and_carry_a_reply_address_for_their_recipient(world, real_outbox):
    ticket = world.ticket
    services.reply(ticket, by=world["assignee"], body="Ya la anulamos.")
    services.reply(ticket, by=world["requester"], body="Gracias.")
    services.comment_internally(ticket, by=world["topic operator"], body="Revisar el circuito de facturas.")
    rows = list(OutboxMessage.objects.order_by("id"))
    people = {person.email: person for person in world.people.values() if hasattr(person, "email")}
    assert len(rows) >= 3
    root = f"<solicitud-{ticket.number}@tickets.sysmo.example.com.ar>"
    kinds = set()
    for row in rows:
        assert row.headers["In-Reply-To"] == root
        assert row.headers["References"] == root
        assert row.headers["Auto-Submitted"] == "auto-generated"
        assert "Respondé a este correo" in row.body
        [reply_to] = row.reply_to
        token = replies.token_in([reply_to])
        [to] = row.to
        assert (token.thread, token.person) == (ticket.number, people[to].pk)
        kinds.add((to, token.internal))
    assert len({row.message_id for row in rows}) == len(rows)
    # The client's notices are public ones; the internal comment's notice says internal.
    assert (world["requester"].email, False) in kinds
    internal_row = OutboxMessage.objects.get(subject__startswith="Comentario interno")
    assert internal_row.to == [world["assignee"].email]
    assert replies.token_in(internal_row.reply_to).internal is True
    assert all(not replies.token_in(row.reply_to).internal for row in rows if row.to == [world["requester"].email])
