"""Fetching answers from a real IMAP server (Dovecot, started by the test) and piping them in: each message
is acted on once, and nothing is lost while the server is down."""

import io
import os
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from mail import replies
from mail.models import InboundMessage
from mail.tasks import fetch_inbound
from mail.tests import messages
from mail.tests.conftest import dovecot  # noqa: F401 (a fixture)
from tickets.models import Intervention

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.INBOUND_ADDRESS = "soporte@sysmo.example.com.ar"
    settings.INBOUND_IMAP_TIMEOUT = 3


def answer(world, text):
    address = replies.reply_address(world.ticket.number, world["requester"].pk)
    return messages.build(sender=world["requester"].email, to=address, text=text)


def bodies(world):
    return list(Intervention.objects.filter(ticket=world.ticket).order_by("id").values_list("body", flat=True))


def fetch():
    out = io.StringIO()
    call_command("fetch_mail", stdout=out)
    return out.getvalue()


def test_fetch_mail_turns_unread_answers_into_interventions_and_marks_them_read(world, dovecot, settings):  # noqa: F811
    settings.INBOUND_IMAP_URL = dovecot.url
    dovecot.deliver(answer(world, "Primera respuesta."), answer(world, "Segunda respuesta."))
    assert fetch().strip() == "2 nuevos, 2 procesados."
    assert bodies(world) == ["Primera respuesta.", "Segunda respuesta."]
    assert dovecot.unread() == 0
    assert fetch().strip() == "0 nuevos, 0 procesados."


def test_a_message_fetched_twice_makes_one_intervention(world, dovecot, settings):  # noqa: F811
    settings.INBOUND_IMAP_URL = dovecot.url
    raw = answer(world, "Una sola vez.")
    dovecot.deliver(raw)
    fetch()
    dovecot.deliver(raw)  # the server hands it over again (a copy, or a client marked it unread)
    assert fetch().strip() == "0 nuevos, 0 procesados."
    assert bodies(world) == ["Una sola vez."]
    assert InboundMessage.objects.count() == 1


def test_while_the_imap_server_is_down_nothing_is_lost(world, dovecot, settings):  # noqa: F811
    settings.INBOUND_IMAP_URL = dovecot.url
    dovecot.deliver(answer(world, "Llegó mientras estaba caído."))
    dovecot.stop()
    with pytest.raises(CommandError, match="No se pudo leer el buzón"):
        fetch()
    fetch_inbound.apply()  # the beat's task logs it and tries again at the next beat
    assert bodies(world) == [] and not InboundMessage.objects.exists()
    dovecot.start()
    fetch_inbound.apply()
    assert bodies(world) == ["Llegó mientras estaba caído."]
    assert dovecot.unread() == 0


def test_receive_mail_reads_one_message_from_standard_input(world, monkeypatch):
    raw = answer(world, "Por la tubería del servidor de correo.")
    for attempt in ("Procesado: Respuesta en la solicitud", "Ya recibido"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
        out = io.StringIO()
        call_command("receive_mail", stdout=out)
        assert attempt in out.getvalue()
    assert bodies(world) == ["Por la tubería del servidor de correo."]


def test_bench_inbound_processes_every_message_and_cleans_up(db):
    out = io.StringIO()
    call_command("bench_inbound", 10, force=True, stdout=out)
    assert "10 messages processed" in out.getvalue()
    assert not InboundMessage.objects.exists() and not Intervention.objects.exists()


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                    reason="needs DATABASE_URL=postgres://… (two real workers)")
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_backlog_and_process_each_message_once():
    assert connection.vendor == "postgresql", "DATABASE_URL says PostgreSQL but Django is not using it"
    out = io.StringIO()
    # The command fails unless every message became exactly one intervention and the workers' own counts
    # of what each processed add up to the number of messages (none skipped, none processed twice).
    call_command("bench_inbound", 40, workers=2, force=True, stdout=out)
    assert "40 messages processed" in out.getvalue() and "2 worker processes" in out.getvalue()
    assert not InboundMessage.objects.exists() and not Intervention.objects.exists()
