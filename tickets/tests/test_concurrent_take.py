"""Taking is atomic: two processes take the same request at the same moment, many times; one winner each time.

Runs when DATABASE_URL is PostgreSQL (on SQLite a single writer makes the race impossible to stage).
When it should run it never skips: a database that is not PostgreSQL then fails the test.
"""

import multiprocessing
import os

import pytest
from django.db import connection, connections

from accounts.tests.factories import OperatorFactory
from tickets.models import Event, EventKind, State, Ticket
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

ROUNDS = 30
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL=postgres://… (two real writers)"),
]


def _taker(operator_pk, numbers, barrier, results):
    """In a child process: for each request, wait for the other process, then take it at the same moment."""
    from accounts.models import User
    from tickets import services

    connections.close_all()
    operator = User.objects.get(pk=operator_pk)
    for number in numbers:
        ticket = Ticket.objects.get(pk=number)
        barrier.wait(timeout=30)
        try:
            services.take(ticket, by=operator)
        except services.AlreadyTaken as refusal:
            results.put((number, operator_pk, "lost", str(refusal)))
        except Exception as error:  # reported to the parent, which fails the test
            results.put((number, operator_pk, "error", repr(error)))
        else:
            results.put((number, operator_pk, "won", ""))
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_processes_take_the_same_request_and_exactly_one_wins():
    assert connection.vendor == "postgresql", "DATABASE_URL says PostgreSQL but Django is not using it"
    first, second = OperatorFactory(full_name="Primera Operadora"), OperatorFactory(full_name="Segundo Operador")
    topic = TopicFactory(operators=[first, second])
    numbers = [TicketFactory(topic=topic).number for _ in range(ROUNDS)]
    names = {first.pk: "Primera Operadora", second.pk: "Segundo Operador"}

    connections.close_all()  # the children open their own connections
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_taker, args=(operator.pk, numbers, barrier, results))
                 for operator in (first, second)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in range(2 * ROUNDS)]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0

    errors = [outcome for outcome in outcomes if outcome[2] == "error"]
    assert not errors
    for number in numbers:
        mine = [outcome for outcome in outcomes if outcome[0] == number]
        winners = [pk for _, pk, result, _ in mine if result == "won"]
        assert len(winners) == 1, mine
        [(_, _, _, told)] = [outcome for outcome in mine if outcome[2] == "lost"]
        assert told == f"{names[winners[0]]} ya tomó esta solicitud."
        ticket = Ticket.objects.get(pk=number)
        assert (ticket.state, ticket.assignee_id) == (State.IN_PROGRESS, winners[0])
        assert Event.objects.filter(ticket=ticket, kind=EventKind.TAKEN).count() == 1
