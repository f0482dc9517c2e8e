"""Every request URL and action × every kind of user: what they get, and that a refusal changes nothing.

"colleague" is a member of the requester's company who is not in copy; "colleague in copy" sees the request,
writes on it and downloads its public files (issue 14), "removed colleague" was in copy until the requester
took them out. Adding and removing colleagues is for the requester and staff working the request.

Logged-in users who may not see a request (or not act on it) get 404, like a request that does not
exist; anonymous users go to the login page. "take" runs on a new request (nobody assigned yet), so
there "assignee" is an operator who has nothing to do with it; "reopen" runs on a closed request;
every other action on a request in progress assigned to "assignee", who does not work its topic.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tickets import permissions
from tickets.models import Attachment, Colleague, Event, Intervention, State, Ticket
from tickets.tests.conftest import add_copies, make_world
from tickets.tests.factories import AttachmentFactory, InterventionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

PEOPLE = ["anonymous", "requester", "another client", "colleague", "colleague in copy", "removed colleague",
          "topic operator", "other operator", "assignee", "administrator"]
STAFF = {"topic operator", "assignee", "administrator"}


def state_for(action):
    return {"take": State.NEW, "bulk take": State.NEW, "reopen": State.CLOSED}.get(action, State.IN_PROGRESS)


def expected(who, action):
    if who == "anonymous":
        return "login"
    if who in STAFF:
        return "done"
    if action.startswith("bulk "):  # the trays' bulk actions (issue 14): staff only, a refusal per request
        return "refused" if who == "other operator" else "404"
    if who == "requester" and action in ("page", "reply", "download", "add colleague", "remove colleague"):
        return "done"
    if who == "colleague in copy" and action in ("page", "reply", "download"):
        return "done"
    return "404"


BULK = {"bulk take": "take", "bulk assign": "assign", "bulk change topic": "change topic", "bulk close": "close",
        "bulk priority": "priority"}
ACTIONS = ["page", "reply", "internal comment", "take", "assign", "change topic", "close", "reopen", "download",
           "download internal file", "add colleague", "remove colleague", *BULK]
CASES = [(who, action, expected(who, action)) for action in ACTIONS for who in PEOPLE]


def request_for(world, action, files):
    number = world.ticket.number
    return {
        "page": ("get", reverse("tickets:detail", args=[number]), {}),
        "reply": ("post", reverse("tickets:reply", args=[number]), {"body": "Respuesta de prueba", "mode": "public"}),
        "internal comment": ("post", reverse("tickets:reply", args=[number]),
                             {"body": "Comentario de prueba", "mode": "internal"}),
        "take": ("post", reverse("tickets:take", args=[number]), {}),
        "assign": ("post", reverse("tickets:assign", args=[number]), {"assignee": world["topic operator"].pk}),
        "change topic": ("post", reverse("tickets:change_topic", args=[number]), {"topic": world.other_topic.pk}),
        "close": ("post", reverse("tickets:close", args=[number]), {"message": ""}),
        "reopen": ("post", reverse("tickets:reopen", args=[number]), {}),
        "download": ("get", reverse("tickets:download", args=[number, files["public"].pk]), {}),
        "download internal file": ("get", reverse("tickets:download", args=[number, files["internal"].pk]), {}),
        "add colleague": ("post", reverse("tickets:add_colleague", args=[number]),
                          {"colleague": world["colleague"].pk}),
        "remove colleague": ("post", reverse("tickets:remove_colleague", args=[number]),
                             {"colleague": world["colleague in copy"].pk}),
        "bulk take": ("post", reverse("tickets:bulk"), {"accion": "tomar", "solicitudes": [number]}),
        "bulk assign": ("post", reverse("tickets:bulk"), {"accion": f"asignar:{world['topic operator'].pk}",
                                                          "solicitudes": [number]}),
        "bulk change topic": ("post", reverse("tickets:bulk"), {"accion": f"tematica:{world.other_topic.pk}",
                                                                "solicitudes": [number]}),
        "bulk close": ("post", reverse("tickets:bulk"), {"accion": "cerrar", "solicitudes": [number]}),
        "bulk priority": ("post", reverse("tickets:bulk"), {"accion": "prioridad:4", "solicitudes": [number]}),
    }[action]


def effect_seen(world, action, who):
    """Did the action change what it should have?"""
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    person = world[who]
    action = BULK.get(action, action)
    return {
        "priority": ticket.priority == 4,
        "reply": Intervention.objects.filter(ticket=ticket, author=person, internal=False).exists(),
        "internal comment": Intervention.objects.filter(ticket=ticket, author=person, internal=True).exists(),
        "take": ticket.state == State.IN_PROGRESS and ticket.assignee == person,
        "assign": ticket.assignee == world["topic operator"],
        "change topic": ticket.topic == world.other_topic,
        "close": ticket.state == State.CLOSED,
        "reopen": ticket.state == State.IN_PROGRESS,
        "add colleague": Colleague.objects.filter(ticket=ticket, user=world["colleague"], removed_at=None).exists(),
        "remove colleague": not Colleague.objects.filter(ticket=ticket, user=world["colleague in copy"],
                                                         removed_at=None).exists(),
    }[action]


def snapshot(world):
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    return (ticket.state, ticket.assignee_id, ticket.topic_id, ticket.priority, ticket.last_activity_at,
            Intervention.objects.count(), Event.objects.count(), Attachment.objects.count(),
            list(Colleague.objects.filter(removed_at=None).values_list("user_id", flat=True).order_by("user_id")))


@pytest.mark.parametrize(("who", "action", "outcome"), CASES, ids=[f"{w}-{a}" for w, a, _ in CASES])
def test_permission_table(client, who, action, outcome):
    world = add_copies(make_world(state_for(action)))
    staff_note = InterventionFactory(ticket=world.ticket, author=world["topic operator"], internal=True,
                                     body="Nota interna")
    files = {
        "public": AttachmentFactory(ticket=world.ticket, original_name="factura.txt"),
        "internal": AttachmentFactory(ticket=world.ticket, intervention=staff_note, original_name="interno.txt",
                                      uploaded_by=world["topic operator"]),
    }
    if who != "anonymous":
        client.force_login(world[who])
    method, url, data = request_for(world, action, files)
    before = snapshot(world)

    response = getattr(client, method)(url, data)

    if outcome == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        assert snapshot(world) == before
    elif outcome == "404":
        assert response.status_code == 404
        assert snapshot(world) == before
    elif outcome == "refused":  # told like a request that does not exist
        assert response.status_code == 302
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            f"1 no se pudo: #{world.ticket.number}: No existe o no la podés ver."]
        assert snapshot(world) == before
    elif action in ("page", "download", "download internal file"):
        assert response.status_code == 200
        if action.startswith("download"):
            assert response["Content-Disposition"].startswith("attachment;")
            assert b"".join(response.streaming_content) == b"contenido"
    else:
        assert response.status_code == 302, response.content[:500]
        assert effect_seen(world, action, who), f"{who} could not {action}"


@pytest.mark.parametrize("who", PEOPLE)
def test_new_request_page(client, who, db):
    world = add_copies(make_world())
    if who != "anonymous":
        client.force_login(world[who])
    response = client.get(reverse("tickets:create"))
    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 200
        assert "Nueva solicitud" in response.content.decode()


@pytest.mark.parametrize("url_name", ["reply", "take", "assign", "change_topic", "close", "reopen", "add_colleague",
                                      "remove_colleague"])
def test_actions_answer_only_post(client, world, url_name):
    client.force_login(world["administrator"])
    assert client.get(reverse(f"tickets:{url_name}", args=[world.ticket.number])).status_code == 405


def test_a_request_that_does_not_exist_is_404_too(client, world):
    client.force_login(world["administrator"])
    assert client.get(reverse("tickets:detail", args=[999_999])).status_code == 404
    assert client.get(reverse("tickets:download", args=[world.ticket.number, 999_999])).status_code == 404
    assert client.post(reverse("tickets:take", args=[999_999])).status_code == 404


def test_a_file_of_another_request_is_404(client, world):
    other = AttachmentFactory()
    client.force_login(world["administrator"])
    assert client.get(reverse("tickets:download", args=[world.ticket.number, other.pk])).status_code == 404


@pytest.mark.parametrize("who", PEOPLE[1:])
def test_the_python_rule_agrees_with_the_queryset_rule(world, who):
    add_copies(world)
    person = world[who]
    assert permissions.can_view(person, world.ticket) == Ticket.objects.visible_to(person).filter(
        pk=world.ticket.pk).exists()


@pytest.mark.parametrize(("state", "allowed"), [
    (State.NEW, {"take", "assign", "change_topic", "close"}),
    (State.IN_PROGRESS, {"assign", "change_topic", "close"}),
    (State.CLOSED, {"reopen"}),
])
def test_buttons_follow_the_state(client, db, state, allowed):
    world = make_world(state)
    client.force_login(world["administrator"])
    html = client.get(reverse("tickets:detail", args=[world.ticket.number])).content.decode()
    for name in ("take", "assign", "change_topic", "close", "reopen"):
        shown = f'action="{reverse(f"tickets:{name}", args=[world.ticket.number])}"' in html
        assert shown == (name in allowed), name
