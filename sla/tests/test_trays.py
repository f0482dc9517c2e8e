"""The trays show each open request's SLA deadline to staff («vence en 2 h», «vencida»), filter and order by
it; clients never see it (issue 15)."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets.models import State, Ticket
from tickets.tests.conftest import make_world
from tickets.tests.factories import TicketFactory

INBOX = reverse("tickets:inbox")


def rows(response):
    return [int(n) for n in re.findall(r'<span class="ticket-number">#(\d+)</span>', response.content.decode())]


@pytest.fixture
def desk(db):
    """Four open requests of «Facturación»: breached, due in 2 h 10 min, waiting on the client, no target;
    and a closed one whose deadline passed."""
    world = make_world()
    now = timezone.now()
    made = {}
    for name, due, extra in [
        ("breached", now - timedelta(hours=1), {}),
        ("soon", now + timedelta(hours=2, minutes=10), {}),
        ("waiting", now - timedelta(hours=3), {"waiting_since": now - timedelta(hours=5)}),
        ("none", None, {}),
        ("closed", now - timedelta(hours=2), {"state": State.CLOSED, "closed_at": now}),
    ]:
        made[name] = TicketFactory(topic=world.topic, requester=world["requester"], assignee=world["assignee"],
                                   state=extra.pop("state", State.IN_PROGRESS), sla_due_at=due,
                                   sla_warn_at=due and due - timedelta(hours=1), subject=f"Caso {name}", **extra)
    world.made = made
    return world


def test_staff_see_the_deadline_of_each_open_request(desk, client):
    client.force_login(desk["assignee"])
    html = client.get(INBOX, {"bandeja": "todas"}).content.decode()
    assert re.search(r'sla-badge-breached"[^>]*>vencida<', html)
    assert re.search(r'sla-badge-ok"[^>]*>vence en 2 h<', html)
    assert "SLA en pausa" in html
    assert html.count('class="sla-badge ') == 3  # not the closed one, not the one without a target


def test_clients_never_see_the_deadline_nor_order_by_it(desk, client):
    client.force_login(desk["requester"])
    response = client.get(INBOX, {"orden": "vence", "vence": "vencida"})
    html = response.content.decode()
    assert "sla-badge" not in html and ">vencida<" not in html and "Vencimiento del SLA" not in html
    assert len(rows(response)) == 5  # all her open ones: the filter and the ordering are not theirs: ignored


@pytest.mark.parametrize("value, expected", [("vencida", ["breached"]), ("en_plazo", ["soon"])])
def test_staff_filter_by_the_deadline(desk, client, value, expected):
    client.force_login(desk["topic operator"])
    response = client.get(INBOX, {"bandeja": "todas", "vence": value})
    assert rows(response) == [desk.made[name].number for name in expected]


def test_staff_order_by_the_deadline_soonest_first(desk, client):
    client.force_login(desk["administrator"])
    response = client.get(INBOX, {"bandeja": "todas", "orden": "vence"})
    # Open requests with a deadline only (the one waiting keeps its place: its clock is stopped, not gone).
    assert rows(response) == [desk.made[name].number for name in ("waiting", "breached", "soon")]


def test_ordering_by_the_deadline_pages_without_gaps(desk, client, settings):
    now = timezone.now()
    for n in range(30):
        TicketFactory(topic=desk.topic, requester=desk["requester"], state=State.NEW,
                      sla_due_at=now + timedelta(minutes=n))
    client.force_login(desk["administrator"])
    seen, params = [], {"bandeja": "todas", "orden": "vence"}
    for _page in range(5):
        response = client.get(INBOX, params)
        seen += rows(response)
        following = re.search(r'href="([^"]*)" rel="next"', response.content.decode())
        if not following:
            break
        params = dict(parse_qsl(urlsplit(unescape(following.group(1))).query))
    expected = list(Ticket.objects.filter(sla_due_at__isnull=False).exclude(state=State.CLOSED)
                    .order_by("sla_due_at", "number").values_list("number", flat=True))
    assert seen == expected
