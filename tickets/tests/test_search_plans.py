"""Searches whose result the word statistics mispredict, as a kind (issue 19).

The words «vpn» and «impresora» are each common here but never share a request; «vpn» is never in
«Reclamos»; «factura» is everywhere. A table of combinations of words × tray × topic × state × dates, whose
results are empty, tiny or huge, goes through the tray's filters (the one place searches are built) and must
find exactly what a reference computed in Python from the same normaliser finds. `FEW_MATCHES` and
`PAGE_HITS` are lowered so that every way of answering is taken (dense, few, neither). On PostgreSQL an
empty or tiny combination must reach the list as request numbers (the list's query holds no text
condition, so it cannot walk the tray reading every row), and the probe that finds them reads the
indexes' bitmaps, never walking the table or an order index.
"""

import re
from datetime import timedelta
from itertools import product

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tickets import search, selectors
from tickets.filters import DEFAULT_STATE, STATES, TicketFilter
from tickets.models import State, Ticket
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

FEW = 3
TEXTS = (
    [("VPN caída", "La vpn no conecta desde casa. Factura pendiente.", "billing", State.NEW, 2)] * 6
    + [("Impresora trabada", "La impresora no imprime la factura.", "billing", State.CLOSED, 40)] * 5
    + [("Impresoras del local", "Cambiar el tóner de la impresora.", "claims", State.IN_PROGRESS, 5)] * 5
    + [("Factura duplicada", "Llegó dos veces la factura.", "claims", State.CLOSED, 3)] * 2
    + [("Consulta por VPN", "Acceso remoto por vpn para el contador.", "billing", State.CLOSED, 60)]
)
WORDS = ["vpn impresora", "impresora vpn factura", "vpn", "impresora", "factura", "impresoras local",
         "vpn factura", "impreso", "helicóptero", "contador vpn"]
FILTERS = [{}, {"tematica": "claims"}, {"estado": "cerrado"}, {"estado": "abiertas"}, {"estado": "todos"},
           {"creada_desde": 30},
           {"tematica": "billing", "estado": "cerrado", "creada_desde": 90}]
TRAYS = [("administrator", "todas"), ("other operator", "tematicas"), ("topic operator", "tematicas"),
         ("requester", "realizadas")]


@pytest.fixture
def desk(world, monkeypatch):
    monkeypatch.setattr(search, "FEW_MATCHES", FEW)
    monkeypatch.setattr(search, "PAGE_HITS", FEW + 1)  # a "page" of 4: «factura» is dense in most lists
    world.ticket.delete()
    topics = {"billing": world.topic, "claims": world.other_topic}
    now = timezone.now()
    for subject, description, topic, state, days in TEXTS:
        fields = {"closed_at": now} if state == State.CLOSED else {}
        ticket = TicketFactory(subject=subject, description=description, topic=topics[topic], state=state,
                               requester=world["requester"], **fields)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(days=days))
    search.refresh(Ticket.objects.values_list("pk", flat=True))
    return topics


def expected(user, tray, words, filters, topics):
    """The reference: every request of the tray, filtered and matched in Python with the same normaliser."""
    terms = search.query_terms(words)
    found = set()
    for ticket in selectors.tray_tickets(user, tray):
        stored = search.terms_of(ticket.subject, ticket.description)
        if not terms or not all(normal in stored or (prefix and any(t.startswith(prefix) for t in stored))
                                for normal, prefix in terms):
            continue
        if "tematica" in filters and ticket.topic_id != topics[filters["tematica"]].pk:
            continue
        if ticket.state not in STATES[filters.get("estado", DEFAULT_STATE)]:  # a tray shows open work first
            continue
        if "creada_desde" in filters and ticket.created_at.date() < timezone.localdate() - timedelta(
                days=filters["creada_desde"]):
            continue
        found.add(ticket.pk)
    return found


def query_of(words, filters, topics):
    query = {"q": words}
    for name, value in filters.items():
        if name == "tematica":
            value = topics[value].pk
        elif name == "creada_desde":
            value = (timezone.localdate() - timedelta(days=value)).strftime("%d/%m/%Y")
        query[name] = value
    return query


def sql_of(tickets):
    try:
        return str(tickets.query)
    except EmptyResultSet:
        return ""  # answered without asking the database


def test_every_combination_finds_what_the_reference_finds(desk, world):
    sizes = {"empty": 0, "tiny": 0, "huge": 0}
    for (who, tray), words, filters in product(TRAYS, WORDS, FILTERS):
        user = world[who]
        data = query_of(words, filters, desk)
        tickets = TicketFilter(data, queryset=selectors.tray_tickets(user, tray), user=user,
                               staff=selectors.assignable_people()).qs
        want = expected(user, tray, words, filters, desk)
        got = set(tickets.values_list("pk", flat=True))
        assert got == want, (who, tray, words, filters)
        sizes["empty" if not want else "tiny" if len(want) <= FEW else "huge"] += 1
        if connection.vendor == "postgresql" and len(want) <= FEW:
            assert "@@" not in sql_of(tickets), (who, tray, words, filters)  # read by number
    assert all(sizes.values()), sizes  # the table holds every kind of result


def test_the_page_shows_them_with_its_usual_queries(desk, world, client):
    client.force_login(world["administrator"])
    page = client.get(reverse("tickets:inbox"), {"bandeja": "todas", "q": "vpn impresora"}).content.decode()
    assert "No encontramos solicitudes" in page
    every_state = {"bandeja": "todas", "estado": "todos", "q": "contador vpn"}
    page = client.get(reverse("tickets:inbox"), every_state).content.decode()
    assert "Consulta por VPN" in page
    assert "Impresora trabada" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice is PostgreSQL's")
@pytest.mark.parametrize("words, filters", [
    ("vpn impresora", {}), ("vpn", {"tematica": "claims"}), ("impresora", {"estado": "abiertas"}),
])
def test_the_probe_reads_only_indexes(desk, world, words, filters):
    user = world["administrator"]
    data = query_of(words, filters, desk)
    with CaptureQueriesContext(connection) as queries:
        assert TicketFilter(data, queryset=selectors.tray_tickets(user, "todas"), user=user,
                            staff=selectors.assignable_people()).qs is not None
    probe = next(query["sql"] for query in queries.captured_queries
                 if "@@" in query["sql"] and f"LIMIT {FEW + 1}" in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)")
        cursor.execute(f"EXPLAIN {probe}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan" in plan, plan  # the bitmaps of the indexes, intersected
    assert "Seq Scan on tickets_ticket" not in plan, plan
    assert not re.search(r"(?<!Bitmap )Index Scan", plan), plan  # no walk of an order index
