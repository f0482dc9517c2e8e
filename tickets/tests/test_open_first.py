"""Trays show open work first (issue 13, item 5): each tab counts exactly what it lists, closed requests are
one filter away, operators have «Sin asignar», staff order any tray by priority, and each row says who the
request waits for."""

import re

import pytest
from django.urls import reverse

from tickets import services, tray_counts
from tickets.models import Priority, State
from tickets.tests.conftest import make_world
from tickets.tests.test_trays import rows, tabs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]
INBOX = reverse("tickets:inbox")
TRAY_KEYS = {"Todas": "todas", "Asignadas a mí": "asignadas", "Sin asignar": "sin_asignar",
             "De mis temáticas": "tematicas", "Realizadas por mí": "realizadas"}


@pytest.fixture
def desk():
    """The world's request (En proceso, Ana) and, through the services: two new ones (one in «Reclamos»), one
    waiting on the client, one closed, one closed and reopened, one filed by Olga."""
    world = make_world(State.IN_PROGRESS)
    tray_counts.rebuild()  # the world's request was made by a factory
    rita, ana, olga, admin = world["requester"], world["assignee"], world["topic operator"], world["administrator"]

    def filed(subject, by=rita, topic=None):
        return services.create(by=by, topic=topic or world.topic, subject=subject, description="Texto.")[0]

    t = {"world": world.ticket, "new": filed("Nueva"), "new elsewhere": filed("Otra temática", topic=world.other_topic),
         "waiting": filed("Espera"), "closed": filed("Cerrada"), "reopened": filed("Reabierta"),
         "olga's": filed("De Olga", by=olga)}
    services.reply(t["waiting"], by=ana, body="¿Me mandás la factura?", wait=True)
    services.close(t["closed"], by=olga)
    services.close(t["reopened"], by=ana)
    services.reply(t["reopened"], by=rita, body="Volvió a fallar.")
    services.set_priority(t["new"], by=admin, priority=Priority.URGENT)
    services.set_priority(t["world"], by=admin, priority=Priority.HIGH)
    assert tray_counts.drift() == {}
    world.numbers = {name: ticket.number for name, ticket in t.items()}
    return world


def named(world, response):
    by_number = {number: name for name, number in world.numbers.items()}
    return sorted(by_number[number] for number in rows(response))


@pytest.mark.parametrize("who", ["requester", "assignee", "topic operator", "other operator", "administrator"])
def test_every_tab_counts_exactly_what_it_lists_and_lists_open_work(client, desk, who):
    client.force_login(desk[who])
    counts = tabs(client.get(INBOX))
    assert counts
    for label, count in counts.items():
        listed = client.get(INBOX, {"bandeja": TRAY_KEYS[label]})
        assert len(rows(listed)) == int(count), (who, label)
        assert "closed" not in named(desk, listed)
        assert listed.context["count"] == int(count)


def test_what_each_tray_lists_by_default_and_with_the_state_filter(client, desk):
    client.force_login(desk["topic operator"])
    assert named(desk, client.get(INBOX, {"bandeja": "tematicas"})) == ["new", "olga's", "reopened", "waiting",
                                                                        "world"]
    assert named(desk, client.get(INBOX, {"bandeja": "tematicas", "estado": "cerrado"})) == ["closed"]
    assert len(rows(client.get(INBOX, {"bandeja": "tematicas", "estado": "todos"}))) == 6
    client.force_login(desk["requester"])
    assert named(desk, client.get(INBOX)) == ["new", "new elsewhere", "reopened", "waiting", "world"]
    assert named(desk, client.get(INBOX, {"estado": "cerrado"})) == ["closed"]


def test_an_empty_open_tray_points_to_its_closed_requests(client, desk):
    client.force_login(desk["topic operator"])
    html = client.get(INBOX, {"bandeja": "asignadas"}).content.decode()
    assert "No tenés solicitudes asignadas" in html
    assert 'href="/solicitudes/?bandeja=asignadas&amp;estado=cerrado"' in html
    assert named(desk, client.get(INBOX, {"bandeja": "asignadas", "estado": "cerrado"})) == ["closed"]


def test_sin_asignar_is_the_new_requests_of_ones_topics(client, desk):
    client.force_login(desk["topic operator"])
    assert named(desk, client.get(INBOX, {"bandeja": "sin_asignar"})) == ["new", "olga's"]
    client.force_login(desk["other operator"])
    assert named(desk, client.get(INBOX, {"bandeja": "sin_asignar"})) == ["new elsewhere"]
    services.take(desk_ticket(desk, "new elsewhere"), by=desk["other operator"])
    assert rows(client.get(INBOX, {"bandeja": "sin_asignar"})) == []
    assert tabs(client.get(INBOX))["Sin asignar"] == "0"


def desk_ticket(world, name):
    from tickets.models import Ticket

    return Ticket.objects.get(number=world.numbers[name])


@pytest.mark.parametrize("who", ["requester", "another client"])
def test_clients_have_no_sin_asignar(client, desk, who):
    client.force_login(desk[who])
    response = client.get(INBOX, {"bandeja": "sin_asignar"})
    assert list(tabs(response)) == ["Realizadas por mí"]
    assert response.context["tray"].key == "realizadas"


def test_anonymous_is_sent_to_log_in(client, desk):
    response = client.get(INBOX, {"bandeja": "sin_asignar", "orden": "prioridad"})
    assert response.status_code == 302 and "?next=" in response["Location"]


@pytest.mark.parametrize("tray", ["asignadas", "sin_asignar", "tematicas", "realizadas"])
def test_staff_order_any_tray_by_priority(client, desk, tray):
    client.force_login(desk["assignee"])
    listed = rows(client.get(INBOX, {"bandeja": tray, "orden": "prioridad", "estado": "todos"}))
    priorities = [desk_ticket(desk, name).priority for number in listed
                  for name, n in desk.numbers.items() if n == number]
    assert priorities == sorted(priorities, reverse=True)
    if tray == "tematicas":
        assert listed[:2] == [desk.numbers["new"], desk.numbers["world"]]  # Urgente, then Alta


def test_a_client_can_not_order_by_priority(client, desk):
    client.force_login(desk["requester"])
    default = rows(client.get(INBOX))
    response = client.get(INBOX, {"orden": "prioridad"})
    assert rows(response) == default  # ignored: the client never learns the priority
    assert 'value="prioridad"' not in response.content.decode()
    assert "prioridad" not in client.get(INBOX).content.decode().lower()


def test_each_row_says_who_the_request_waits_for(client, desk):
    client.force_login(desk["topic operator"])
    html = client.get(INBOX, {"bandeja": "tematicas"}).content.decode()
    waits = dict(re.findall(r'#(\d+)</span>.*?ticket-waits ticket-waits-(\w+)', html, flags=re.S))
    assert {name: waits[str(n)] for name, n in desk.numbers.items() if str(n) in waits} == {
        "world": "support", "new": "unassigned", "waiting": "client", "reopened": "support", "olga's": "unassigned"}
    assert "Espera respuesta de soporte" in html and "Esperando al cliente" in html
    closed = client.get(INBOX, {"bandeja": "tematicas", "estado": "cerrado"}).content.decode()
    assert "ticket-waits" not in closed
    client.force_login(desk["requester"])
    html = client.get(INBOX).content.decode()
    assert "ticket-waits-unassigned" not in html  # only that support has the next step
    assert "ticket-waits-support" in html and "ticket-waits-client" in html
