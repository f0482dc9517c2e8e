"""Two beat workers at once send each SLA warning and each breach once; nothing for a request that waits on
the client (issue 15). Needs PostgreSQL: SQLite has one writer, so it cannot show the race."""

import multiprocessing
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from mail.models import OutboxMessage
from sla.models import Target
from tickets import services
from tickets.models import Event, EventKind, Priority, State, Ticket
from tickets.tests.conftest import make_world

pytestmark = [pytest.mark.usefixtures("private_storage")]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))


def _beat(now, barrier, results):
    connections.close_all()
    barrier.wait(timeout=30)
    try:
        results.put(services.run_sla_clock(now=now))
    except Exception as error:  # reported to the parent, which fails the test
        results.put(repr(error))
    connections.close_all()


def _two_workers(now):
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_beat, args=(now, barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    return outcomes


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL=postgres://… (two real writers)")
@pytest.mark.django_db(transaction=True)
def test_two_workers_warn_and_breach_each_request_once(settings):
    assert connection.vendor == "postgresql", "DATABASE_URL says PostgreSQL but Django is not using it"
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    numbers, waiting = [], []
    for n in range(12):
        world = make_world(State.IN_PROGRESS, suffix=f"-{n}")
        Target.objects.create(topic=world.topic, priority=Priority.NORMAL, first_response_hours=Decimal(2),
                              resolution_hours=Decimal(8))
        ticket, _created = services.create(by=world["requester"], topic=world.topic, subject="Sin factura",
                                           description="No llegó.")
        services.take(ticket, by=world["assignee"])
        if n % 4 == 0:  # a quarter wait on the client: never warned
            services.reply(ticket, by=world["assignee"], body="¿Me pasás el CUIT?", wait=True)
            waiting.append(ticket.number)
        else:
            numbers.append(ticket.number)
    OutboxMessage.objects.all().delete()
    far = timezone.now() + timedelta(days=60)  # past every deadline: warned and breached at once (the breach)
    first = Ticket.objects.get(pk=numbers[0])
    warning_only = first.sla_warn_at + timedelta(seconds=1)
    assert warning_only < first.sla_due_at

    outcomes = _two_workers(warning_only)
    assert sum(warned for warned, _breached in outcomes) >= 1
    outcomes = _two_workers(far)
    assert sum(breached for _warned, breached in outcomes) == len(numbers)
    for number in numbers:
        assert Event.objects.filter(ticket_id=number, kind=EventKind.SLA_BREACHED).count() == 1
        assert Event.objects.filter(ticket_id=number, kind=EventKind.SLA_WARNING).count() <= 1
    for number in waiting:
        assert not Event.objects.filter(ticket_id=number, kind__startswith="sla").exists()
    assert _two_workers(far + timedelta(days=1)) == [(0, 0), (0, 0)]
    breaches = [row for row in OutboxMessage.objects.all() if row.subject.startswith("Venció el SLA")]
    assert len(breaches) == len(numbers)
    assert not [row for row in OutboxMessage.objects.all() if row.to[0].startswith("rita")]
