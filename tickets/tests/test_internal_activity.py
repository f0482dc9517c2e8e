"""Internal activity is invisible to clients: no date, order, count or size they see moves because of it.

A client's pages (the tray in every order, its next page, searches, filters, the request pages) are the
same, byte for byte once the per-render tokens are taken out, before and after staff write an internal
comment with a file. Staff see the new activity. Every move of tickets.services says which last activity
it moves, and the migration's backfill agrees with the services.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from tickets import pagination, search, services, tray_counts
from tickets.filters import ORDERINGS
from tickets.models import Ticket
from tickets.tests.conftest import checked, text_file
from tickets.tests.factories import EventFactory, InterventionFactory, TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]
INBOX = reverse("tickets:inbox")
# Values that change on every render whatever happened: the CSRF token and the key of each form.
PER_RENDER = re.compile(r'(name="(?:csrfmiddlewaretoken|form_key|submission_key)" value=")[^"]*(")')


def stable(response):
    assert response.status_code == 200
    return PER_RENDER.sub(r"\1…\2", response.content.decode())


@pytest.fixture
def requests_of_the_client(world):
    """The client's requests, more than one page, each last active an hour apart, the world's the oldest."""
    requester, start = world["requester"], timezone.now() - timedelta(days=3)
    world.ticket.last_activity_at = world.ticket.public_activity_at = start
    world.ticket.save()
    others = [
        TicketFactory(topic=world.topic, requester=requester, subject=f"Factura {n} sin CAE",
                      last_activity_at=start + timedelta(hours=n + 1), created_at=start)
        for n in range(pagination.PER_PAGE + 2)
    ]
    search.refresh([ticket.number for ticket in [world.ticket, *others]])
    tray_counts.rebuild()
    return [world.ticket, *others]


def client_pages(client, world, tickets):
    """Every page a client reads, by URL: each ordering and its next page, searches, filters, request pages."""
    client.force_login(world["requester"])
    urls = []
    for key in ORDERINGS:
        urls.append(f"{INBOX}?bandeja=realizadas&orden={key}")
        cursor = client.get(INBOX, {"orden": key}).context["page"].next_cursor
        urls.append(f"{INBOX}?bandeja=realizadas&orden={key}&despues={cursor}&pagina=2")
    for query in ("q=factura", "q=CAE&orden=actividad", "q=zapallito", "adjuntos=on", "estado=abiertas",
                  "creada_desde=01/01/2000", f"q={tickets[0].number}", ""):
        urls.append(f"{INBOX}?{query}")
    urls += [reverse("tickets:detail", args=[ticket.number]) for ticket in (tickets[0], tickets[-1])]
    pages = {}
    for url in urls:
        response = client.get(url, follow=True)
        pages[url] = stable(response)
    return pages


def test_an_internal_comment_changes_nothing_a_client_sees(client, world, requests_of_the_client):
    before = client_pages(client, world, requests_of_the_client)
    oldest = requests_of_the_client[0]
    services.comment_internally(oldest, by=world["assignee"], body="Ojo: deuda con contaduría (zapallito).",
                                files=[checked(text_file("deuda.txt"))])
    after = client_pages(client, world, requests_of_the_client)
    for url, page in before.items():
        assert after[url] == page, url

    # Staff see the activity: the commented request is now the most recent of their tray.
    client.force_login(world["assignee"])
    response = client.get(INBOX, {"bandeja": "tematicas"})
    assert response.context["page"].items[0].number == oldest.number
    oldest.refresh_from_db()
    assert oldest.last_activity_at > oldest.public_activity_at
    html = client.get(oldest.get_absolute_url()).content.decode()
    assert timezone.localtime(oldest.last_activity_at).strftime("%d/%m/%Y %H:%M") in html


def test_a_public_reply_after_it_moves_the_client_s_activity(client, world, requests_of_the_client):
    oldest = requests_of_the_client[0]
    services.comment_internally(oldest, by=world["assignee"], body="Revisar el CAE.")
    services.reply(oldest, by=world["assignee"], body="Ya lo revisamos.")
    client.force_login(world["requester"])
    response = client.get(INBOX)
    assert response.context["page"].items[0].number == oldest.number


def test_an_operator_sees_all_activity_on_what_they_filed(client, world):
    """An operator filing for themselves is staff: their own tray orders by all the activity."""
    operator = world["topic operator"]
    own, _created = services.create(by=operator, topic=world.topic, subject="Mi pedido", description="Texto")
    later = TicketFactory(topic=world.topic, requester=operator, last_activity_at=timezone.now() + timedelta(hours=1))
    services.comment_internally(own, by=world["assignee"], body="Nota")
    Ticket.objects.filter(pk=own.pk).update(last_activity_at=timezone.now() + timedelta(hours=2))
    client.force_login(operator)
    numbers = [t.number for t in client.get(INBOX, {"bandeja": "realizadas"}).context["page"].items]
    assert numbers == [own.number, later.number]


# --- Which last activity each move moves ------------------------------------------------------------

def _reply_as_client(world):
    return services.reply(world.ticket, by=world["requester"], body="Gracias")


MOVES = {
    # move: (make it, does the client see it)
    "public reply by staff": (lambda w: services.reply(w.ticket, by=w["assignee"], body="Listo"), True),
    "reply by the client": (_reply_as_client, True),
    "internal comment": (lambda w: services.comment_internally(w.ticket, by=w["assignee"], body="Nota"), False),
    "assign": (lambda w: services.assign(w.ticket, by=w["topic operator"], assignee=w["topic operator"]), True),
    "change topic": (lambda w: services.change_topic(w.ticket, by=w["administrator"], topic=w.other_topic), True),
    "close": (lambda w: services.close(w.ticket, by=w["assignee"]), True),
    "close with a message": (lambda w: services.close(w.ticket, by=w["assignee"], message="Resuelto"), True),
    "hand off": (lambda w: services.hand_off_stranded(_deactivated(w["assignee"]), by=w["administrator"]), True),
}


def _deactivated(user):
    user.is_active = False
    user.save()
    return user


@pytest.mark.parametrize("move", MOVES)
def test_each_move_moves_the_activity_the_client_sees_unless_it_is_internal(world, move):
    long_ago = timezone.now() - timedelta(days=2)
    Ticket.objects.filter(pk=world.ticket.pk).update(last_activity_at=long_ago, public_activity_at=long_ago)
    make, public = MOVES[move]
    make(world)
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert ticket.last_activity_at > long_ago
    assert (ticket.public_activity_at == ticket.last_activity_at) is public
    assert (ticket.public_activity_at == long_ago) is (not public)


@pytest.mark.parametrize("move", ["take", "reopen", "create"])
def test_the_other_moves_are_seen_by_the_client(new_world, move):
    world = new_world
    if move == "create":
        ticket, _created = services.create(by=world["requester"], topic=world.topic, subject="S", description="D")
    else:
        long_ago = timezone.now() - timedelta(days=2)
        Ticket.objects.filter(pk=world.ticket.pk).update(last_activity_at=long_ago, public_activity_at=long_ago)
        ticket = world.ticket
        if move == "reopen":
            services.close(ticket, by=world["assignee"])
            Ticket.objects.filter(pk=ticket.pk).update(last_activity_at=long_ago, public_activity_at=long_ago)
            services.reopen(ticket, by=world["assignee"])
        else:
            services.take(ticket, by=world["assignee"])
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.public_activity_at == ticket.last_activity_at > timezone.now() - timedelta(minutes=1)


# --- The migration that added the column -------------------------------------------------------------

def test_the_backfill_gives_each_request_the_activity_its_client_saw(world):
    backfill = importlib.import_module("tickets.migrations.0008_public_activity").backfill
    start = timezone.now() - timedelta(days=5)

    def at(hours):
        return start + timedelta(hours=hours)

    internal_last = TicketFactory(topic=world.topic, created_at=at(0), last_activity_at=at(9))
    EventFactory(ticket=internal_last, at=at(0))
    EventFactory(ticket=internal_last, at=at(3))
    InterventionFactory(ticket=internal_last, created_at=at(5))
    InterventionFactory(ticket=internal_last, created_at=at(9), internal=True, author=world["assignee"])
    public_last = TicketFactory(topic=world.topic, created_at=at(0), last_activity_at=at(8))
    InterventionFactory(ticket=public_last, created_at=at(2), internal=True, author=world["assignee"])
    InterventionFactory(ticket=public_last, created_at=at(8))
    only_internal = TicketFactory(topic=world.topic, created_at=at(1), last_activity_at=at(4))
    InterventionFactory(ticket=only_internal, created_at=at(4), internal=True, author=world["assignee"])
    Ticket.objects.update(public_activity_at=timezone.now())

    backfill(apps, None)

    found = dict(Ticket.objects.values_list("pk", "public_activity_at"))
    assert found[internal_last.pk] == at(5)
    assert found[public_last.pk] == at(8)
    assert found[only_internal.pk] == at(1)
