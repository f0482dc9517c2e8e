"""Priority (Baja, Normal, Alta, Urgente): set by staff, an Event each time, a badge, a filter and an order."""

import pytest
from django.urls import reverse

from tickets import services
from tickets.models import EventKind, Priority, State, Ticket
from tickets.tests.conftest import make_world
from tickets.tests.factories import TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def test_staff_set_the_priority_and_the_history_says_so():
    world = make_world(State.IN_PROGRESS)
    services.set_priority(world.ticket, by=world["topic operator"], priority=Priority.URGENT)
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert ticket.priority == Priority.URGENT
    event = ticket.events.get(kind=EventKind.PRIORITY_CHANGED)
    assert (event.actor, event.before, event.after) == (world["topic operator"], "Normal", "Urgente")
    with pytest.raises(services.Refused):
        services.set_priority(ticket, by=world["topic operator"], priority=Priority.URGENT)


@pytest.mark.parametrize(("who", "status"), [
    ("topic operator", 302), ("assignee", 302), ("administrator", 302),
    ("other operator", 404), ("requester", 404), ("colleague", 404), ("another client", 404),
])
def test_who_may_set_the_priority(client, who, status):
    world = make_world(State.IN_PROGRESS)
    client.force_login(world[who])
    response = client.post(reverse("tickets:set_priority", args=[world.ticket.number]), {"priority": 3})
    assert response.status_code == status
    expected = Priority.HIGH if status == 302 else Priority.NORMAL
    assert Ticket.objects.get(pk=world.ticket.pk).priority == expected


def test_anonymous_is_sent_to_log_in(client):
    world = make_world(State.IN_PROGRESS)
    response = client.post(reverse("tickets:set_priority", args=[world.ticket.number]), {"priority": 3})
    assert response.status_code == 302 and "?next=" in response["Location"]
    assert Ticket.objects.get(pk=world.ticket.pk).priority == Priority.NORMAL


def test_a_closed_request_keeps_its_priority():
    world = make_world(State.CLOSED)
    with pytest.raises(services.Refused):
        services.set_priority(world.ticket, by=world["assignee"], priority=Priority.HIGH)


def test_a_bad_priority_is_refused_with_a_message(client):
    world = make_world(State.IN_PROGRESS)
    client.force_login(world["assignee"])
    response = client.post(reverse("tickets:set_priority", args=[world.ticket.number]), {"priority": 9},
                           follow=True)
    assert "Elegí una prioridad de la lista." in response.content.decode()


def test_the_client_sees_neither_the_priority_nor_its_changes(client):
    world = make_world(State.IN_PROGRESS)
    services.set_priority(world.ticket, by=world["assignee"], priority=Priority.URGENT)
    client.force_login(world["requester"])
    html = client.get(world.ticket.get_absolute_url()).content.decode()
    assert "Urgente" not in html and "prioridad" not in html.lower()
    client.force_login(world["assignee"])
    html = client.get(world.ticket.get_absolute_url()).content.decode()
    assert "cambió la prioridad" in html and "badge-priority-4" in html


def test_the_trays_filter_and_order_by_priority(client):
    world = make_world(State.IN_PROGRESS)
    urgent = TicketFactory(topic=world.topic, priority=Priority.URGENT, subject="Urgente de verdad")
    TicketFactory(topic=world.topic, priority=Priority.LOW, subject="Cuando puedan")
    client.force_login(world["topic operator"])
    inbox = reverse("tickets:inbox")
    filtered = client.get(inbox, {"bandeja": "tematicas", "prioridad": 4})
    assert [t.pk for t in filtered.context["page"].items] == [urgent.pk]
    ordered = client.get(inbox, {"bandeja": "tematicas", "orden": "prioridad"})
    assert [t.priority for t in ordered.context["page"].items] == [4, 2, 1]
    assert "Urgente" in ordered.content.decode()


def test_paging_by_priority_keeps_every_request_once(client):
    world = make_world(State.IN_PROGRESS)
    for n in range(60):
        TicketFactory(topic=world.topic, priority=1 + n % 4)
    client.force_login(world["administrator"])
    seen, url = [], reverse("tickets:inbox") + "?bandeja=todas&orden=prioridad"
    while url:
        page = client.get(url).context["page"]
        seen += [(t.priority, t.pk) for t in page.items]
        url = (reverse("tickets:inbox") + f"?bandeja=todas&orden=prioridad&despues={page.next_cursor}"
               if page.has_next else "")
    assert len(seen) == len(set(seen)) == Ticket.objects.count()
    assert [p for p, _pk in seen] == sorted((p for p, _pk in seen), reverse=True)
