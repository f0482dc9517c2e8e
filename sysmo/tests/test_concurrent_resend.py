"""The same reply form sent twice at the same moment (two connections) writes once; both land on the same page.

The winner is slowed down inside its transaction, so the other POST arrives while the first is still in
flight: PostgreSQL makes its claim wait on the unique index, then refuses it, and it is answered like any
resend. Runs when DATABASE_URL is PostgreSQL (SQLite has one writer: the race cannot be staged); when it
should run it never skips.
"""

import multiprocessing
import os
import time
import uuid
from unittest import mock

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tickets.models import Intervention
from tickets.tests.conftest import make_world

ROUNDS = 8
SLOW_SECONDS = 0.3
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL=postgres://… (two real writers)"),
]


def _sender(session, url, keys, barrier, results):
    """In a child process: for each key, wait for the other process, then send the same form at the same moment."""
    from tickets import notifications

    connections.close_all()
    real = notifications.send

    def slow(*args, **kwargs):
        time.sleep(SLOW_SECONDS)  # inside the view's transaction: the other POST arrives meanwhile
        return real(*args, **kwargs)

    browser = Client()
    browser.cookies["sessionid"] = session
    with mock.patch("tickets.notifications.send", slow):
        for key in keys:
            barrier.wait(timeout=30)
            started = time.monotonic()
            try:
                response = browser.post(url, {"body": f"Respuesta {key}", "submission_key": key})
            except Exception as error:  # reported to the parent, which fails the test
                results.put((key, "error", repr(error), 0.0))
            else:
                results.put((key, response.status_code, response.get("Location", ""), time.monotonic() - started))
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_the_same_reply_sent_twice_at_once_is_written_once():
    assert connection.vendor == "postgresql", "DATABASE_URL says PostgreSQL but Django is not using it"
    world = make_world()
    login = Client()
    login.force_login(world["requester"])
    session = login.cookies["sessionid"].value
    url = reverse("tickets:reply", args=[world.ticket.number])
    keys = [str(uuid.uuid4()) for _ in range(ROUNDS)]

    connections.close_all()  # the children open their own connections
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_sender, args=(session, url, keys, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in range(2 * ROUNDS)]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0

    assert not [outcome for outcome in outcomes if outcome[1] == "error"], outcomes
    for key in keys:
        pair = [outcome for outcome in outcomes if outcome[0] == key]
        assert [status for _, status, _, _ in pair] == [302, 302]
        # Both land where the first one did: on its new message (the reply view's anchor, #mensaje-N).
        written = Intervention.objects.get(ticket=world.ticket, body=f"Respuesta {key}")
        assert pair[0][2] == pair[1][2] == f"/solicitudes/{world.ticket.number}/#mensaje-{written.pk}"
        # The resend waited for the first one's transaction rather than answering before it was written.
        assert min(seconds for *_, seconds in pair) >= SLOW_SECONDS
    bodies = sorted(Intervention.objects.filter(ticket=world.ticket).values_list("body", flat=True))
    assert bodies == sorted(f"Respuesta {key}" for key in keys)
