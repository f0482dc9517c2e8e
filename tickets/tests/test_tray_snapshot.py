"""The trays and a request's page write the same HTML as before they were made cheaper (issue 19).

`snapshots/tray_pages.json.gz` holds the pages the code wrote before that work, for a fixed data set, as each kind
of person, in Spanish and in English; every later change to how they are built must write them again, byte for
byte, but for the one-time keys of the forms and the clock (the times are those of the run). To write the file
again after a change that *means* to change a page: `SNAPSHOT_WRITE=1 pytest tickets/tests/test_tray_snapshot.py`.
"""

import gzip
import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import CompanyFactory, UserFactory
from tickets import news, services, tray_counts
from tickets.models import Priority, State
from tickets.tests.conftest import make_world
from tickets.tests.factories import TicketFactory
from tickets.tests.html import spaced
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db
SNAPSHOT = Path(__file__).parent / "snapshots" / "tray_pages.json.gz"
ONE_TIME = re.compile(r'(name="(?:csrfmiddlewaretoken|submission_key)" value=")[^"]*"')
CLOCK = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?[-+]\d{2}:\d{2}"), "ISO-TIME"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "ISO-MINUTE"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "ISO-DATE"),
    (re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"), "LOCAL-TIME"),
    (re.compile(r"\d{2}/\d{2}/\d{4}"), "LOCAL-DATE"),
    (re.compile(r"(despues|antes)=[\d.]+"), r"\1=CURSOR"),  # a page's cursor holds its last row's time
]
URLS = [
    "",
    "?bandeja=todas",
    "?bandeja=todas&estado=todos&orden=prioridad",
    "?bandeja=tematicas&tematica={topic}&estado=abiertas",
    "?bandeja=tematicas&asignada=nadie",
    "?q=factura",
    "?q=factura&estado=todos&bandeja=todas&prioridad=4",
    "?creada_desde=99/99/9999&q=" + "x" * 300,
    "?bandeja=realizadas",
]
PEOPLE = ["requester", "colleague", "assignee", "topic operator", "other operator", "administrator"]


def normalized(html):
    html = ONE_TIME.sub(r'\1"', html)
    for pattern, word in CLOCK:
        html = pattern.sub(word, html)
    return html


def build():
    """The busy world of test_tray_rows, a history of 20 entries on its request, and requests of the other topic
    (some nobody holds), so each tray has rows, pages, badges, news and counts. The factories' sequences start
    again, so the data is the same whatever tests ran before."""
    for factory in (CompanyFactory, UserFactory, TicketFactory, TopicFactory):
        factory.reset_sequence(force=True)
    world = make_world()
    requester, assignee = world["requester"], world["assignee"]
    User.objects.filter(pk=requester.pk).update(company_confirmed=False)
    now = timezone.now()
    ticket = world.ticket
    type(ticket).objects.filter(pk=ticket.pk).update(
        priority=Priority.URGENT, waiting_since=now, last_activity_at=now + timedelta(minutes=2),
        public_activity_at=now + timedelta(minutes=1))
    for index in range(30):
        TicketFactory(topic=world.topic, requester=requester, state=State.IN_PROGRESS, assignee=assignee,
                      priority=index % 4 + 1, subject=f"Factura {index} de <marzo> & «abril»",
                      last_activity_at=now - timedelta(minutes=index))
    for index in range(6):
        TicketFactory(topic=world.other_topic, requester=world["colleague"], state=State.NEW,
                      subject=f"Reclamo {index}", last_activity_at=now - timedelta(hours=index))
    tray_counts.rebuild()
    ticket.refresh_from_db()
    for index in range(9):
        services.reply(ticket, by=assignee, body=f"Respuesta {index}: ¿sigue pasando?")
        ticket.refresh_from_db()
        services.comment_internally(ticket, by=world["topic operator"], body=f"Nota {index} <b>interna</b>")
        ticket.refresh_from_db()
    news.opened(assignee, ticket)
    services.comment_internally(ticket, by=world["topic operator"], body="Lo miro yo.")
    return world


def pages(client, world):
    inbox = reverse("tickets:inbox")
    written = {}
    for who in PEOPLE:
        client.force_login(world[who])
        for language in ("es-ar", "en"):
            client.cookies["django_language"] = language
            urls = [inbox + url.format(topic=world.topic.pk) for url in URLS]
            urls += [reverse("tickets:detail", args=[world.ticket.number])]
            for url in urls:
                page = client.get(url)
                written[f"{who} {language} {url}"] = f"{page.status_code}\n" + normalized(page.content.decode())
    return written


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the snapshot holds the ids of a fresh SQLite database")
def test_the_pages_are_written_as_before(client):
    world = build()
    written = pages(client, world)
    if os.environ.get("SNAPSHOT_WRITE"):
        SNAPSHOT.write_bytes(gzip.compress(json.dumps(written, ensure_ascii=False, sort_keys=True).encode(), mtime=0))
    expected = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    assert written.keys() == expected.keys()
    for key, html in written.items():
        assert spaced(html) == spaced(expected[key]), key
