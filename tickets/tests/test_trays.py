"""The trays: who has which, where each role lands, the counts on the tabs, and a fixed number of queries
per page whatever the number of requests."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from tickets import selectors, services, tray_counts
from tickets.models import State
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db
INBOX = reverse("tickets:inbox")


def tabs(response):
    """{label: count} of the tabs on the page."""
    html = response.content.decode()
    found = re.findall(r'<span class="tray-tab-label">([^<]+)</span>\s*<span class="tray-tab-count">([^<]+)<', html)
    return dict(found)


def current_tray(response):
    return re.search(r'class="tray-tab is-active"[^>]*>\s*<span class="tray-tab-label">([^<]+)<',
                     response.content.decode()).group(1)


def rows(response):
    return [int(n) for n in re.findall(r'<span class="ticket-number">#(\d+)</span>', response.content.decode())]


def test_each_role_has_its_trays_and_lands_on_the_one_it_needs(world, client):
    tray_counts.rebuild()  # the world's request was made by a factory, around the services
    expected = {
        "requester": (["Realizadas por mí"], "Realizadas por mí"),
        "assignee": (["Asignadas a mí", "Sin asignar", "De mis temáticas", "Realizadas por mí"], "Asignadas a mí"),
        "other operator": (["Asignadas a mí", "Sin asignar", "De mis temáticas", "Realizadas por mí"],
                           "De mis temáticas"),
        "administrator": (["Todas", "Asignadas a mí", "Realizadas por mí"], "Todas"),
    }
    for who, (labels, landing) in expected.items():
        client.force_login(world[who])
        response = client.get(INBOX)
        assert list(tabs(response)) == labels, who
        assert current_tray(response) == landing, who


def test_a_tray_the_user_does_not_have_falls_back_to_their_own(world, client):
    client.force_login(world["requester"])
    for key in ("todas", "tematicas", "asignadas", "../", ""):
        response = client.get(INBOX, {"bandeja": key})
        assert response.status_code == 200
        assert current_tray(response) == "Realizadas por mí"
        assert rows(response) == [world.ticket.number]
    client.force_login(world["another client"])
    assert rows(client.get(INBOX, {"bandeja": "todas"})) == []


def test_each_tray_lists_exactly_its_requests(world, client):
    operator, other = world["topic operator"], world["other operator"]
    theirs = TicketFactory(topic=world.other_topic, requester=world["colleague"])
    filed_by_operator = TicketFactory(topic=world.other_topic, requester=operator)
    services.assign(theirs, by=world["administrator"], assignee=other)
    client.force_login(operator)
    assert rows(client.get(INBOX, {"bandeja": "tematicas"})) == [world.ticket.number]
    assert rows(client.get(INBOX, {"bandeja": "realizadas"})) == [filed_by_operator.number]
    assert rows(client.get(INBOX, {"bandeja": "asignadas"})) == []
    client.force_login(other)
    assert rows(client.get(INBOX, {"bandeja": "asignadas"})) == [theirs.number]
    client.force_login(world["administrator"])
    assert set(rows(client.get(INBOX, {"bandeja": "todas"}))) == {world.ticket.number, theirs.number,
                                                                  filed_by_operator.number}


def test_the_counts_follow_every_move_of_the_services(world, client):
    requester, operator, admin = world["requester"], world["topic operator"], world["administrator"]
    tray_counts.rebuild()  # the world's request was made by a factory
    created = [services.create(by=requester, topic=world.topic, subject=f"Pedido {n}", description="Texto.")[0]
               for n in range(3)]
    services.take(created[0], by=operator)
    services.assign(created[1], by=admin, assignee=world["topic operator"])
    services.close(created[0], by=operator, message="Listo.")
    services.reply(created[0], by=requester, body="Sigue fallando.")  # reopens
    services.change_topic(created[2], by=admin, topic=world.other_topic)
    services.close(created[1], by=operator)
    services.reopen(created[1], by=operator)
    assert tray_counts.drift() == {}

    client.force_login(operator)
    assert tabs(client.get(INBOX)) == {"Asignadas a mí": "2", "Sin asignar": "0", "De mis temáticas": "3",
                                       "Realizadas por mí": "0"}
    client.force_login(admin)
    assert tabs(client.get(INBOX))["Todas"] == "4"
    client.force_login(requester)
    assert tabs(client.get(INBOX)) == {"Realizadas por mí": "4"}


def test_drift_is_reported_and_rebuild_fixes_it(world):
    TicketFactory(topic=world.topic)  # around the services
    assert tray_counts.drift()
    tray_counts.rebuild()
    assert tray_counts.drift() == {}


def test_the_requester_count_is_bounded(world, monkeypatch):
    monkeypatch.setattr(selectors, "TRAY_CAP", 2)
    TicketFactory.create_batch(3, topic=world.topic, requester=world["requester"])
    mine = selectors.trays_for(world["requester"])[0]
    assert (mine.count, mine.capped) == (2, True)


def make_requests(count):
    operator = OperatorFactory()
    admin = AdminFactory()
    topic = TopicFactory(operators=[operator, admin])
    client_user = ClientFactory()
    for n in range(count):
        TicketFactory(topic=topic, requester=client_user, assignee=operator if n % 2 else None,
                      state=State.IN_PROGRESS if n % 2 else State.NEW)
    tray_counts.rebuild()
    return {"client": client_user, "operator": operator, "admin": admin}


TRAYS = {"client": ["realizadas"], "operator": ["asignadas", "sin_asignar", "tematicas", "realizadas"],
         "admin": ["todas", "asignadas", "sin_asignar", "tematicas", "realizadas"]}
# Session, user, the tab counts, the topics the user works, the list, the filter choices, a bounded count.
MAX_QUERIES = {"client": 7, "operator": 11, "admin": 11}


@pytest.mark.parametrize("who", list(TRAYS))
def test_every_tray_costs_a_fixed_number_of_queries(client, who, django_assert_max_num_queries):
    people = make_requests(60)
    client.force_login(people[who])
    for key in TRAYS[who]:
        for query in ({}, {"q": "impresora", "estado": "abiertas"}, {"orden": "estado", "adjuntos": "on"},
                      {"orden": "prioridad"}, {"estado": "cerrado"}, {"estado": "todos", "orden": "prioridad"}):
            with django_assert_max_num_queries(MAX_QUERIES[who]):
                response = client.get(INBOX, {"bandeja": key, **query})
            assert response.status_code == 200
        next_page = re.search(r'href="([^"]+)" rel="next"', response.content.decode())
        if next_page:
            with django_assert_max_num_queries(MAX_QUERIES[who]):
                assert client.get(next_page.group(1).replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize(("who", "query"), [
    ("admin", {"bandeja": "todas"}),
    ("admin", {"bandeja": "sin_asignar", "orden": "prioridad"}),
    ("operator", {"bandeja": "tematicas", "orden": "prioridad"}),
    ("operator", {"bandeja": "asignadas", "estado": "todos"}),
    ("client", {"bandeja": "realizadas"}),
    ("client", {"bandeja": "realizadas", "estado": "cerrado"}),
])
def test_the_number_of_queries_does_not_grow_with_the_requests(client, django_assert_num_queries, who, query):
    people = make_requests(3)
    client.force_login(people[who])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topic = people["operator"].topics.first()

    def more_requests():
        for state, assignee in ((State.NEW, None), (State.IN_PROGRESS, people["operator"]),
                                (State.CLOSED, people["operator"])):
            TicketFactory.create_batch(30, topic=topic, requester=people["client"], state=state, assignee=assignee,
                                       closed_at=timezone.now() if state == State.CLOSED else None)
        tray_counts.rebuild()

    more_requests()  # more than a page in every list: a second page's worth of rows changes nothing
    with CaptureQueriesContext(connection) as fewer:
        assert len(rows(client.get(INBOX, query))) == 25
    more_requests()
    with django_assert_num_queries(len(fewer)):
        assert len(rows(client.get(INBOX, query))) == 25
