"""«Responder y esperar al cliente»: the flag, what clears it, the reminder and the automatic close (issue 13)."""

import multiprocessing
import os
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from mail.models import OutboxMessage
from tickets import services, tray_counts
from tickets.models import Event, EventKind, Intervention, State, Ticket
from tickets.moves import Move
from tickets.tests.conftest import make_world

pytestmark = [pytest.mark.usefixtures("private_storage")]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))


def addresses():
    return sorted(address.split("@")[0] for message in mail.outbox for address in message.to)


@pytest.fixture
def waiting(db, settings):
    """Ana answered Rita and waits on her; five and seven days are the defaults."""
    settings.WAITING_REMINDER_DAYS, settings.WAITING_CLOSE_DAYS = 5, 7
    world = make_world(State.IN_PROGRESS)
    outcome = services.reply(world.ticket, by=world["assignee"], body="¿Probaste reiniciar?", wait=True)
    tray_counts.rebuild()
    mail.outbox.clear()
    return world, outcome


def test_an_answer_that_waits_marks_the_request_and_says_so(waiting, client):
    world, outcome = waiting
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert outcome.waiting and ticket.is_waiting and ticket.state == State.IN_PROGRESS
    assert ticket.events.filter(kind=EventKind.WAITING, actor=world["assignee"]).exists()
    client.force_login(world["requester"])
    assert "Esperando al cliente" in client.get(ticket.get_absolute_url()).content.decode()
    assert "Esperando al cliente" in client.get(reverse("tickets:inbox")).content.decode()


def test_the_client_is_emailed_that_we_wait_for_them(db):
    world = make_world(State.IN_PROGRESS)
    services.reply(world.ticket, by=world["assignee"], body="¿Probaste reiniciar?", wait=True)
    [message] = [m for m in mail.outbox if m.to == ["rita@example.com"]]
    assert "Quedamos a la espera de tu respuesta" in message.body


# What ends the wait: (who writes, internal?) → still waiting?
CLEARS = [
    ("requester", False, False),
    ("assignee", False, False),  # a plain answer: staff chose not to wait any more
    ("topic operator", False, False),
    ("assignee", True, True),  # an internal comment changes nothing the client sees
]


@pytest.mark.parametrize(("who", "internal", "still_waiting"), CLEARS)
def test_what_ends_the_wait(waiting, who, internal, still_waiting):
    world, _ = waiting
    write = services.comment_internally if internal else services.reply
    write(world.ticket, by=world[who], body="Mensaje")
    assert Ticket.objects.get(pk=world.ticket.pk).is_waiting == still_waiting


@pytest.mark.parametrize("move", ["close", "resolve"])
def test_closing_ends_the_wait(waiting, move):
    world, _ = waiting
    if move == "close":
        services.close(world.ticket, by=world["assignee"])
    else:
        services.resolve(world.ticket, by=world["requester"])
    assert Ticket.objects.get(pk=world.ticket.pk).waiting_since is None


@pytest.mark.parametrize("who", ["requester", "colleague", "other operator", "another client"])
def test_only_staff_of_the_request_may_wait(client, db, who):
    world = make_world(State.IN_PROGRESS)
    client.force_login(world[who])
    response = client.post(reverse("tickets:reply", args=[world.ticket.number]), {"body": "Hola", "esperar": "1"})
    assert response.status_code == 404
    assert not Intervention.objects.exists() and Ticket.objects.get(pk=world.ticket.pk).waiting_since is None


def test_the_operator_waits_from_the_page(client, db):
    world = make_world(State.NEW)
    client.force_login(world["topic operator"])
    page = client.get(world.ticket.get_absolute_url())
    assert page.context["reply_form"].offers_wait
    response = client.post(reverse("tickets:reply", args=[world.ticket.number]),
                           {"body": "¿Me pasás el número de factura?", "esperar": "1"}, follow=True)
    assert "Esperando al cliente" in response.content.decode()
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert (ticket.state, ticket.assignee, ticket.is_waiting) == (State.IN_PROGRESS, world["topic operator"], True)


# --- The clock --------------------------------------------------------------------------------------------

def at(world, days):
    return Ticket.objects.get(pk=world.ticket.pk).waiting_since + timedelta(days=days)


def test_nothing_happens_before_the_reminder(waiting):
    world, _ = waiting
    assert services.run_waiting_clock(now=at(world, 4.9)) == (0, 0)
    assert mail.outbox == []


def test_one_reminder_then_one_automatic_close(waiting):
    world, _ = waiting
    start = at(world, 0)
    assert services.run_waiting_clock(now=at(world, 5)) == (1, 0)
    assert addresses() == ["rita"] and "Esperamos tu respuesta" in mail.outbox[0].subject
    assert services.run_waiting_clock(now=at(world, 6)) == (0, 0)  # reminded once
    mail.outbox.clear()

    assert services.run_waiting_clock(now=at(world, 7)) == (0, 1)
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert (ticket.state, ticket.closed_by, ticket.waiting_since) == (State.CLOSED, None, None)
    assert [e.kind for e in ticket.events.order_by("at", "id")][-2:] == [EventKind.REMINDED, EventKind.AUTO_CLOSED]
    assert addresses() == ["ana.asignada", "rita"]
    assert "7 días" in next(m.body for m in mail.outbox if m.to == ["rita@example.com"])
    assert services.run_waiting_clock(now=start + timedelta(days=30)) == (0, 0)
    assert tray_counts.drift() == {}


def test_a_client_answer_stops_the_clock(waiting):
    world, _ = waiting
    services.reply(world.ticket, by=world["requester"], body="Ya reinicié y sigue igual")
    mail.outbox.clear()
    assert services.run_waiting_clock(now=timezone.now() + timedelta(days=30)) == (0, 0)
    assert Ticket.objects.get(pk=world.ticket.pk).state == State.IN_PROGRESS


def test_a_reminder_and_a_close_are_both_in_the_move_table():
    from tickets import recipients

    assert (Move.REMIND, "system") in recipients.TABLE and (Move.AUTO_CLOSE, "system") in recipients.TABLE


# --- Two workers at once ------------------------------------------------------------------------------------

def _clock(now, barrier, results):
    connections.close_all()
    barrier.wait(timeout=30)
    try:
        results.put(services.run_waiting_clock(now=now))
    except Exception as error:  # reported to the parent, which fails the test
        results.put(repr(error))
    connections.close_all()


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL=postgres://… (two real writers)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("days", [5, 7])
def test_two_workers_remind_and_close_each_request_once(settings, days):
    assert connection.vendor == "postgresql", "DATABASE_URL says PostgreSQL but Django is not using it"
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    numbers = []
    for n in range(12):
        world = make_world(State.IN_PROGRESS, suffix=f"-{n}")
        services.reply(world.ticket, by=world["assignee"], body="¿Y?", wait=True)
        numbers.append(world.ticket.number)
    since = Ticket.objects.get(pk=numbers[-1]).waiting_since
    OutboxMessage.objects.all().delete()

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_clock, args=(since + timedelta(days=days, minutes=1), barrier, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    kind = EventKind.REMINDED if days == 5 else EventKind.AUTO_CLOSED
    assert sum(outcome[0 if days == 5 else 1] for outcome in outcomes) == len(numbers)
    for number in numbers:
        assert Event.objects.filter(ticket_id=number, kind=kind).count() == 1
    to_clients = [row for row in OutboxMessage.objects.all() if row.to[0].startswith("rita")]
    assert len(to_clients) == len(numbers)
