"""New activity (issue 14, item 3): staff see which requests changed since they last opened them — a bold
row with a chip in the trays and a count on each tab — and clients never see any of it."""

import os
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from mail import inbound, replies
from mail.tests import messages
from tickets import news, services, tray_counts
from tickets.models import Seen, State
from tickets.tests.factories import TicketFactory
from tickets.tests.test_trays import make_requests

pytestmark = pytest.mark.django_db
INBOX = reverse("tickets:inbox")
CHIPS = {"new_client_reply": "Respuesta nueva del cliente", "new_internal_comment": "Comentario interno nuevo",
         "new_other": "Cambios nuevos"}


def opened_by(ticket, *people):
    ticket.refresh_from_db()  # as the page reads it
    for person in people:
        news.opened(person, ticket)


def flags(person, ticket):
    """The flags set for `person` on `ticket` (a set of field names), or None when they never opened it."""
    row = Seen.objects.filter(user=person, ticket=ticket).first()
    return None if row is None else {flag for flag in Seen.FLAGS if getattr(row, flag)}


def marked_rows(response):
    """{request number: [chip texts]} of the bold rows of a tray page."""
    html = response.content.decode()
    found = {}
    for row in re.findall(r'<tr class="has-news">(.*?)</tr>', html, re.S):
        number = int(re.search(r'ticket-number">#(\d+)<', row).group(1))
        found[number] = re.findall(r'class="news-chip news-chip-\w+">([^<]+)<', row)
    return found


def news_counts(response):
    """{tab label: its count of requests with news}, for the tabs that show one."""
    found = {}
    for tab in re.findall(r'<a class="tray-tab.*?</a>', response.content.decode(), re.S):
        count = re.search(r'class="tray-tab-news">(\d+) novedad', tab)
        if count:
            found[re.search(r'tray-tab-label">([^<]+)<', tab).group(1)] = int(count.group(1))
    return found


# Who acts, how, and the flag everybody else who opened the request before gets.
PATHS = {
    "the client answers": ("requester", lambda w, t, by: services.reply(t, by=by, body="Sigue igual."),
                           "new_client_reply"),
    "the client closes it with a message": (
        "requester", lambda w, t, by: services.resolve(t, by=by, message="Ya anda, gracias."), "new_client_reply"),
    "a colleague comments internally": (
        "topic operator", lambda w, t, by: services.comment_internally(t, by=by, body="Ojo: ya pasó en marzo."),
        "new_internal_comment"),
    "a colleague answers the client": (
        "topic operator", lambda w, t, by: services.reply(t, by=by, body="Lo estamos viendo."), "new_other"),
    "a colleague closes it": ("topic operator", lambda w, t, by: services.close(t, by=by), "new_other"),
    "an administrator changes the topic": (
        "administrator", lambda w, t, by: services.change_topic(t, by=by, topic=w.other_topic), "new_other"),
    "an administrator assigns it to a colleague": (
        "administrator", lambda w, t, by: services.assign(t, by=by, assignee=w["topic operator"]), "new_other"),
    "a colleague raises the priority": (
        "topic operator", lambda w, t, by: services.set_priority(t, by=by, priority=4), "new_other"),
}
STAFF = ("assignee", "topic operator", "administrator")


@pytest.mark.parametrize("path", list(PATHS))
def test_every_change_by_someone_else_marks_the_request_for_who_opened_it(world, path):
    actor, act, expected = PATHS[path]
    opened_by(world.ticket, *(world[who] for who in STAFF))
    act(world, world.ticket, world[actor])
    assert {who: flags(world[who], world.ticket) for who in STAFF} == {
        who: set() if who == actor else {expected} for who in STAFF}
    assert flags(world["other operator"], world.ticket) is None  # never opened it: no marker at all


def test_taking_a_new_request_marks_it_for_the_others(new_world):
    opened_by(new_world.ticket, new_world["assignee"], new_world["topic operator"])
    services.take(new_world.ticket, by=new_world["topic operator"])
    assert flags(new_world["assignee"], new_world.ticket) == {"new_other"}
    assert flags(new_world["topic operator"], new_world.ticket) == set()


def test_sysmo_s_own_changes_mark_it_for_everybody_who_opened_it(world, settings):
    """The waiting clock closing a request nobody answered (by=None): news for all staff who opened it."""
    services.reply(world.ticket, by=world["assignee"], body="¿Me pasás la factura?", wait=True)
    opened_by(world.ticket, *(world[who] for who in STAFF))
    later = Seen.objects.get(user=world["assignee"]).seen_at + timedelta(days=settings.WAITING_CLOSE_DAYS + 1)
    assert services.run_waiting_clock(now=later) == (0, 1)
    assert {who: flags(world[who], world.ticket) for who in STAFF} == dict.fromkeys(STAFF, {"new_other"})


def test_a_client_reopening_a_closed_request_is_a_client_reply(world):
    services.close(world.ticket, by=world["assignee"])
    opened_by(world.ticket, world["assignee"])
    assert not Seen.objects.get(user=world["assignee"]).ticket_open
    services.reply(world.ticket, by=world["requester"], body="Volvió a fallar.")
    assert flags(world["assignee"], world.ticket) == {"new_client_reply"}
    assert Seen.objects.get(user=world["assignee"]).ticket_open  # reopened: counted on the tabs again
    services.close(world.ticket, by=world["assignee"])
    assert flags(world["assignee"], world.ticket) == {"new_client_reply"}  # closing it myself adds nothing
    # Closed: the flag stays for the row, but the tabs' index no longer holds it.
    assert not Seen.objects.get(user=world["assignee"]).ticket_open
    assert news.tab_counts(world["assignee"], {"asignadas": Q(assignee=world["assignee"])}) == {"asignadas": 0}


def test_a_hand_off_marks_it_for_the_colleagues_who_opened_it(world):
    opened_by(world.ticket, world["assignee"], world["topic operator"])
    world.topic.operators.remove(world["assignee"])
    services.hand_off_stranded(world["assignee"], by=world["administrator"])
    assert flags(world["topic operator"], world.ticket) == {"new_other"}


def test_my_own_reply_does_not_mark_it_for_me(world):
    opened_by(world.ticket, world["assignee"])
    services.reply(world.ticket, by=world["assignee"], body="Ya lo reviso.")
    services.comment_internally(world.ticket, by=world["assignee"], body="Nota para mí.")
    assert flags(world["assignee"], world.ticket) == set()


@pytest.mark.usefixtures("private_storage")
def test_an_answer_by_email_is_a_client_reply(world, settings):
    settings.INBOUND_ADDRESS = "Sysmo Tickets <soporte@sysmo.example.com.ar>"
    opened_by(world.ticket, world["assignee"])
    address = replies.reply_address(world.ticket.number, world["requester"].pk)
    message, _created = inbound.receive(messages.build(sender=world["requester"].email, to=address,
                                                       text="Adjunto la factura."), "test")
    assert message.result == f"Respuesta en la solicitud #{world.ticket.number}"
    assert flags(world["assignee"], world.ticket) == {"new_client_reply"}


def test_news_add_up_until_the_request_is_opened_again(world, client):
    assignee = world["assignee"]
    client.force_login(assignee)
    client.get(world.ticket.get_absolute_url())
    services.reply(world.ticket, by=world["requester"], body="Sigue igual.")
    services.comment_internally(world.ticket, by=world["topic operator"], body="Ya pasó en marzo.")
    assert flags(assignee, world.ticket) == {"new_client_reply", "new_internal_comment"}
    assert marked_rows(client.get(INBOX, {"bandeja": "asignadas"})) == {
        world.ticket.number: ["Respuesta nueva del cliente", "Comentario interno nuevo"]}
    assert news_counts(client.get(INBOX)) == {"Asignadas a mí": 1, "De mis temáticas": 1}

    client.get(world.ticket.get_absolute_url())  # opening it clears everything
    assert flags(assignee, world.ticket) == set()
    response = client.get(INBOX, {"bandeja": "asignadas"})
    assert marked_rows(response) == {}
    assert news_counts(response) == {}
    assert "tray-tab-news" not in response.content.decode()


def test_each_tab_counts_its_open_requests_with_news(world, client):
    operator, admin, requester = world["topic operator"], world["administrator"], world["requester"]
    mine = services.create(by=requester, topic=world.topic, subject="Otra", description="Texto.")[0]
    unassigned = services.create(by=requester, topic=world.topic, subject="Sin tomar", description="Texto.")[0]
    filed_by_me = services.create(by=operator, topic=world.other_topic, subject="Mía", description="Texto.")[0]
    closed = services.create(by=requester, topic=world.topic, subject="Cerrada", description="Texto.")[0]
    services.assign(mine, by=admin, assignee=operator)
    services.close(closed, by=admin)
    for ticket in (world.ticket, mine, unassigned, filed_by_me, closed):
        news.opened(operator, ticket)
    for ticket in (world.ticket, mine, unassigned):
        services.reply(ticket, by=requester, body="¿Novedades?")
    services.comment_internally(filed_by_me, by=world["other operator"], body="La veo yo.")
    services.reply(closed, by=world["requester"], body="Gracias.")  # reopens it: back to En proceso
    services.close(closed, by=admin)  # closed again: news, but not counted on a tab of open work
    client.force_login(operator)
    response = client.get(INBOX)
    assert news_counts(response) == {"Asignadas a mí": 1, "Sin asignar": 1, "De mis temáticas": 3,
                                     "Realizadas por mí": 1}
    assert set(marked_rows(client.get(INBOX, {"bandeja": "tematicas", "estado": "todos"}))) == {
        world.ticket.number, mine.number, unassigned.number, closed.number}


def test_clients_never_see_markers_nor_get_rows(world, client):
    requester = world["requester"]
    client.force_login(requester)
    client.get(world.ticket.get_absolute_url())
    assert flags(requester, world.ticket) is None
    # Even a client who once worked as an operator and kept their rows sees nothing of them.
    news.opened(world["topic operator"], world.ticket)
    services.comment_internally(world.ticket, by=world["assignee"], body="Interno.")
    former = world["topic operator"]
    former.role = Role.CLIENT
    former.save()
    TicketFactory(topic=world.topic, requester=former)
    client.force_login(former)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INBOX)
    assert not [query for query in queries if "tickets_seen" in query["sql"]]  # not read at all for a client
    html = response.content.decode()
    assert "has-news" not in html and "news-chip" not in html and "tray-tab-news" not in html
    assert "Comentario interno nuevo" not in html


def test_an_operator_taken_off_the_topic_no_longer_counts_its_requests(world, client):
    operator = world["topic operator"]
    news.opened(operator, world.ticket)
    services.reply(world.ticket, by=world["requester"], body="Sigue igual.")
    client.force_login(operator)
    assert news_counts(client.get(INBOX)) == {"De mis temáticas": 1}
    world.topic.operators.remove(operator)
    response = client.get(INBOX)
    assert news_counts(response) == {}
    assert marked_rows(response) == {}
    assert client.get(world.ticket.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["operator", "admin"])
def test_markers_cost_no_query_per_row(client, who):
    people = make_requests(1)
    me = people[who]
    client.force_login(me)
    query = {"bandeja": "todas" if who == "admin" else "tematicas", "estado": "todos"}

    def counted():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INBOX, query)
        return len(queries), response

    for ticket in TicketFactory._meta.model.objects.all():
        news.opened(me, ticket)
    Seen.objects.update(new_client_reply=True)
    one, response = counted()
    assert len(marked_rows(response)) == 1
    topic = me.topics.first()
    for n in range(19):
        ticket = TicketFactory(topic=topic, requester=people["client"], state=State.IN_PROGRESS,
                               assignee=people["operator"])
        news.opened(me, ticket)
        if n % 2:
            services.comment_internally(ticket, by=people["operator" if who == "admin" else "admin"], body="Ojo.")
    tray_counts.rebuild()
    twenty, response = counted()
    assert len(marked_rows(response)) == 1 + 9
    assert twenty == one


def test_an_operator_without_topics_gets_their_tabs(client):
    from accounts.tests.factories import OperatorFactory  # noqa: PLC0415

    client.force_login(OperatorFactory())
    response = client.get(INBOX)
    assert response.status_code == 200
    assert news_counts(response) == {}


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                    reason="needs DATABASE_URL=postgres://… (synchronous_commit is PostgreSQL's)")
@pytest.mark.django_db(transaction=True)
def test_opening_a_page_does_not_wait_for_the_disk_and_nothing_else_loses_durability():
    """The «seen» mark commits without waiting for the write-ahead log (tickets.news.opened); the setting ends
    with its transaction, and inside a caller's transaction it is not used (it would reach the caller's writes)."""
    from django.db import transaction

    from accounts.tests.factories import OperatorFactory

    operator, ticket = OperatorFactory(), TicketFactory()
    with CaptureQueriesContext(connection) as alone:
        news.opened(operator, ticket)
    assert any("synchronous_commit TO OFF" in query["sql"] for query in alone.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    with transaction.atomic(), CaptureQueriesContext(connection) as inside:
        news.opened(operator, ticket)
    assert not any("synchronous_commit" in query["sql"] for query in inside.captured_queries)
    assert Seen.objects.filter(user=operator, ticket=ticket).count() == 1
