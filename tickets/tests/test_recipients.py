"""Who hears about what (tickets.recipients): the whole table of move × actor → recipients, and the kind of
fault where email goes to people chosen from stale facts (issue 11)."""

import pytest
from django.core import mail

from accounts import services as account_services
from accounts.models import Role, User
from accounts.tests.factories import AdminFactory, OperatorFactory
from tickets import recipients, services
from tickets.models import State, Ticket
from tickets.moves import Move
from tickets.tests.conftest import make_world
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

# The world of tickets/tests/conftest.py: Rita (requester), Ana (assignee) and Olga work «Facturación»;
# Omar works «Reclamos»; Adela is an administrator; Carlos and Clara are clients.
EMAIL = {"requester": "rita", "assignee": "ana.asignada", "topic operator": "olga", "other operator": "omar",
         "administrator": "adela", "another client": "carlos", "colleague": "clara"}


def told():
    """{local part of each address emailed: subject}."""
    return {address.split("@")[0]: message.subject for message in mail.outbox for address in message.to}


def do(move, world, by):
    person = world[by]
    ticket = world.ticket
    if move == "create":
        services.create(by=person, topic=world.topic, subject="Sin luz", description="Se cortó.")
    elif move == "create for rita":
        services.create(by=person, topic=world.topic, subject="Llamó", description="Por teléfono.",
                        requester=world["requester"], channel="phone")
    elif move == "create for a new client":
        services.create_for_new_client(
            by=person, topic=world.topic, subject="Llamó", description="Por teléfono.",
            new_client=services.NewClient("Nora Nueva", "nora@example.com", company=world["requester"].company))
    elif move == "reply":
        services.reply(ticket, by=person, body="Mensaje")
    elif move == "comment":
        services.comment_internally(ticket, by=person, body="Interno")
    elif move == "take":
        services.take(ticket, by=person)
    elif move == "assign to olga":
        services.assign(ticket, by=person, assignee=world["topic operator"])
    elif move == "assign to ana":
        services.assign(ticket, by=person, assignee=world["assignee"])
    elif move == "change topic":
        services.change_topic(ticket, by=person, topic=world.other_topic)
    elif move == "close":
        services.close(ticket, by=person, message="Resuelto")
    elif move == "reopen":
        services.reopen(ticket, by=person)
    elif move == "priority":
        services.set_priority(ticket, by=person, priority=4)
    elif move == "wait":
        services.reply(ticket, by=person, body="¿Me confirmás?", wait=True)
    elif move == "resolve":
        services.resolve(ticket, by=person, message="Ya anda")
    elif move == "deactivate ana":
        account_services.deactivate(world["assignee"], by=person)
    elif move in ("sla warning", "sla breach"):  # the beat task (sla.clock): due times set by hand
        from datetime import timedelta

        from django.utils import timezone

        now = timezone.now()
        Ticket.objects.filter(pk=ticket.pk).update(sla_warn_at=now - timedelta(hours=1),
                                                   sla_due_at=now + timedelta(hours=1 if move == "sla warning" else -1))
        services.run_sla_clock(now=now)
    else:
        raise ValueError(move)


# (move, state before, actor) → who is emailed. Every line of recipients.TABLE appears here.
CASES = [
    ("create", State.NEW, "requester", {"rita", "ana.asignada", "olga"}),
    ("create for rita", State.NEW, "topic operator", {"rita", "ana.asignada"}),  # the client's receipt
    ("create for rita", State.NEW, "other operator", {"rita", "ana.asignada", "olga"}),
    # The new client gets the receipt and the invitation to choose a password (test_new_client.py).
    ("create for a new client", State.NEW, "topic operator", {"nora", "ana.asignada"}),
    ("create for a new client", State.NEW, "administrator", {"nora", "ana.asignada", "olga"}),
    ("reply", State.IN_PROGRESS, "requester", {"ana.asignada"}),
    ("reply", State.NEW, "requester", {"ana.asignada", "olga"}),  # nobody assigned: the topic's operators
    ("reply", State.CLOSED, "requester", {"ana.asignada"}),  # reopens it
    ("reply", State.IN_PROGRESS, "assignee", {"rita"}),
    ("reply", State.IN_PROGRESS, "topic operator", {"rita", "ana.asignada"}),
    ("reply", State.IN_PROGRESS, "administrator", {"rita", "ana.asignada"}),
    ("reply", State.NEW, "topic operator", {"rita"}),  # takes it
    ("comment", State.IN_PROGRESS, "topic operator", {"ana.asignada"}),
    ("comment", State.IN_PROGRESS, "assignee", set()),
    ("take", State.NEW, "topic operator", set()),
    ("assign to olga", State.IN_PROGRESS, "administrator", {"olga", "ana.asignada"}),
    ("assign to ana", State.NEW, "administrator", {"ana.asignada"}),
    ("assign to ana", State.NEW, "topic operator", {"ana.asignada"}),
    ("change topic", State.IN_PROGRESS, "topic operator", {"omar"}),  # Ana does not work «Reclamos»: released
    ("change topic", State.NEW, "administrator", {"omar"}),
    ("close", State.IN_PROGRESS, "topic operator", {"rita", "ana.asignada"}),
    ("close", State.IN_PROGRESS, "assignee", {"rita"}),
    ("close", State.NEW, "topic operator", {"rita"}),  # takes it on the way
    ("reopen", State.CLOSED, "topic operator", {"rita", "ana.asignada"}),
    ("reopen", State.CLOSED, "assignee", {"rita"}),
    ("reopen", State.CLOSED, "administrator", {"rita", "ana.asignada"}),
    ("priority", State.IN_PROGRESS, "topic operator", {"ana.asignada"}),
    ("priority", State.IN_PROGRESS, "assignee", set()),
    ("wait", State.IN_PROGRESS, "assignee", {"rita"}),
    ("wait", State.NEW, "topic operator", {"rita"}),  # takes it, then waits
    ("resolve", State.IN_PROGRESS, "requester", {"ana.asignada"}),
    ("resolve", State.NEW, "requester", {"ana.asignada", "olga"}),  # nobody holds it: the topic's operators
    ("deactivate ana", State.IN_PROGRESS, "administrator", {"olga"}),  # released: the topic is told
    ("sla warning", State.IN_PROGRESS, "anonymous", {"ana.asignada"}),  # the system: never the client
    ("sla warning", State.NEW, "anonymous", {"ana.asignada", "olga"}),  # nobody holds it: the topic
    ("sla breach", State.IN_PROGRESS, "anonymous", {"ana.asignada"}),
    ("sla breach", State.NEW, "anonymous", {"ana.asignada", "olga"}),
]


@pytest.mark.parametrize(("move", "state", "actor", "expected"), CASES,
                         ids=[f"{move}-{state}-{actor}" for move, state, actor, _e in CASES])
def test_the_table_of_moves_and_recipients(move, state, actor, expected):
    world = make_world(state)
    mail.outbox.clear()
    do(move, world, actor)
    assert set(told()) == expected


def test_every_move_has_a_line_in_the_table():
    moves_in_table = {move for move, _actor in recipients.TABLE}
    assert moves_in_table == set(Move)
    assert (Move.CREATE, "requester") in recipients.TABLE
    assert (Move.REPLY, "requester") in recipients.TABLE


def test_the_preview_on_the_request_page_names_who_the_reply_then_reaches(client):
    world = make_world(State.IN_PROGRESS)
    client.force_login(world["topic operator"])
    page = client.get(world.ticket.get_absolute_url())
    assert [p.email for p in page.context["public_recipients"]] == ["rita@example.com", "ana.asignada@example.com"]
    assert [p.email for p in page.context["internal_recipients"]] == ["ana.asignada@example.com"]
    mail.outbox.clear()
    client.post(f"{world.ticket.get_absolute_url()}responder/", {"body": "Hola"})
    assert set(told()) == {"rita", "ana.asignada"}


def test_a_staff_reopen_tells_the_client_it_is_open_again():
    world = make_world(State.CLOSED)
    mail.outbox.clear()
    services.reopen(world.ticket, by=world["topic operator"])
    assert "Reabrimos tu solicitud" in told()["rita"]
    assert "reabrió tu solicitud" in next(m.body for m in mail.outbox if m.to == ["rita@example.com"])


# --- Stale facts: whoever the table names must still pass the request page's predicate -------------------------

def demote(user):
    User.objects.filter(pk=user.pk).update(role=Role.CLIENT)


def deactivate(user):
    User.objects.filter(pk=user.pk).update(is_active=False)


def off_topic(world, user):
    world.topic.operators.remove(user)


# (what went stale, the move, who makes it) → emailed; the stale person must not be among them.
STALE = [
    ("assignee demoted", lambda w: demote(w["assignee"]), "reply", "requester", {"olga"}),
    ("assignee deactivated", lambda w: deactivate(w["assignee"]), "reply", "requester", {"olga"}),
    ("assignee demoted, admin replies", lambda w: demote(w["assignee"]), "reply", "administrator", {"rita"}),
    ("requester deactivated", lambda w: deactivate(w["requester"]), "reply", "assignee", set()),
    ("requester deactivated, closed", lambda w: deactivate(w["requester"]), "close", "assignee", set()),
    ("involved operator off the topic", lambda w: off_topic(w, w["topic operator"]), "comment", "assignee", set()),
    ("involved operator demoted", lambda w: demote(w["topic operator"]), "comment", "assignee", set()),
    ("every topic operator gone", lambda w: [deactivate(w["topic operator"]), deactivate(w["assignee"])],
     "reply", "requester", {"adela"}),
]


@pytest.mark.parametrize(("stale", "move", "actor", "expected"), [case[0:1] + case[2:] for case in STALE],
                         ids=[case[0] for case in STALE])
def test_nobody_is_emailed_from_stale_facts(stale, move, actor, expected):
    world = make_world(State.IN_PROGRESS)
    services.comment_internally(world.ticket, by=world["topic operator"], body="Olga escribió antes")
    next(case for case in STALE if case[0] == stale)[1](world)
    world.ticket.refresh_from_db()
    mail.outbox.clear()
    do(move, world, actor)
    assert set(told()) == expected


def test_a_request_in_a_topic_nobody_works_reaches_the_administrators():
    world = make_world(State.NEW)
    empty = TopicFactory(name="Sin gente")
    Ticket.objects.filter(pk=world.ticket.pk).update(topic=empty)  # filed before its last operator left
    world.ticket.refresh_from_db()
    mail.outbox.clear()
    services.reply(world.ticket, by=world["requester"], body="¿Hay alguien?")
    assert set(told()) == {"adela"}


def test_moving_a_request_to_a_topic_nobody_works_tells_the_administrators():
    world = make_world(State.NEW)
    empty = TopicFactory(name="Sin gente")
    mail.outbox.clear()
    services.change_topic(world.ticket, by=world["topic operator"], topic=empty)
    assert set(told()) == {"adela"}


def test_the_issues_first_example_end_to_end():
    """An operator takes a request; an administrator makes them a client; the client writes, an administrator
    replies: the demoted person gets nothing, and someone who can act hears the client."""
    world = make_world(State.NEW)
    taker = world["topic operator"]
    services.take(world.ticket, by=taker)
    account_services.change_role(taker, Role.CLIENT, by=world["administrator"])
    mail.outbox.clear()
    services.reply(world.ticket, by=world["requester"], body="¿Novedades?")
    services.reply(world.ticket, by=AdminFactory(email="otra.admin@example.com"), body="Ya lo vemos.")
    assert "olga" not in told()
    assert "ana.asignada" in told()
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert ticket.assignee_id != taker.pk


def test_an_inactive_operator_is_never_offered_as_assignee(client):
    world = make_world(State.IN_PROGRESS)
    deactivate(world["topic operator"])
    client.force_login(world["administrator"])
    page = client.get(world.ticket.get_absolute_url())
    offered = [value for value, _label in page.context["assign_form"].fields["assignee"].choices if value]
    assert str(world["topic operator"].pk) not in [str(value) for value in offered]


def test_a_topic_without_active_operators_is_not_offered_and_cannot_receive_requests(client):
    world = make_world(State.NEW)
    lonely = TopicFactory(name="Sin operadores activos", operators=[OperatorFactory(is_active=False)])
    client.force_login(world["requester"])
    page = client.get("/solicitudes/nueva/")
    offered = [str(value) for value, _label in page.context["form"].fields["topic"].choices if value]
    assert str(lonely.pk) not in offered and str(world.topic.pk) in offered
    with pytest.raises(services.Refused):
        services.create(by=world["requester"], topic=lonely, subject="A", description="B")
    client.force_login(world["administrator"])
    listing = client.get("/tematicas/")
    assert "Sin operadores activos" in listing.content.decode()
    assert listing.context["unworked"] == ["Sin operadores activos"]
