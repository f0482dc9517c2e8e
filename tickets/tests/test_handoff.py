"""When a person loses access, none of their open requests stays assigned to them (accounts.handoff,
tickets.services.hand_off_stranded); and the answers that must not leave a Nuevo request unowned."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import AdminFactory, OperatorFactory
from tickets import services, tray_counts
from tickets.models import EventKind, State, Ticket
from tickets.tests.conftest import make_world
from tickets.tests.factories import TicketFactory
from tickets.tests.history import assert_consistent_history
from topics.models import Topic
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def desk(db):
    """Ana holds two open requests of «Facturación» (one through a real take) and one closed; Olga works it
    too; Adela is an administrator."""
    world = make_world(State.NEW)
    ana, admin = world["assignee"], world["administrator"]
    services.take(world.ticket, by=ana)
    second, _ = services.create(by=world["requester"], topic=world.topic, subject="Otra", description="B")
    services.take(second, by=ana)
    closed, _ = services.create(by=world["requester"], topic=world.topic, subject="Vieja", description="C")
    services.close(closed, by=ana)
    tray_counts.rebuild()
    mail.outbox.clear()
    world.closed = closed
    return world, ana, admin


def open_held_by(user):
    return sorted(Ticket.objects.filter(assignee=user, state__in=[State.NEW, State.IN_PROGRESS])
                  .values_list("number", flat=True))


def lose_access(how, world, person, admin, reassign_to=None):
    from accounts import services as account_services
    from topics import services as topic_services

    if how == "deactivated":
        return account_services.deactivate(person, by=admin, reassign_to=reassign_to)
    if how == "made a client":
        return account_services.change_role(person, Role.CLIENT, by=admin, reassign_to=reassign_to)
    if how == "taken off the topic on their page":
        return topic_services.set_topics_of(person, [], by=admin, reassign_to=reassign_to)
    if how == "taken off on the topic's page":
        others = [p for p in world.topic.operators.all() if p.pk != person.pk]
        return topic_services.update_topic(world.topic, name=world.topic.name, operators=others, by=admin,
                                           reassign_to=reassign_to)
    raise ValueError(how)


WAYS = ["deactivated", "made a client", "taken off the topic on their page", "taken off on the topic's page"]


@pytest.mark.parametrize("how", WAYS)
def test_losing_access_sends_open_requests_back_to_new(desk, how):
    world, ana, admin = desk
    held = open_held_by(ana)
    result = lose_access(how, world, ana, admin)
    assert (result.reassigned, result.released) == (0, 2)
    assert open_held_by(ana) == []
    for number in held:
        ticket = Ticket.objects.get(pk=number)
        assert (ticket.state, ticket.assignee, ticket.taken_at) == (State.NEW, None, None)
        assert ticket.events.order_by("at", "id").last().kind == EventKind.RELEASED
    assert Ticket.objects.get(pk=world.closed.pk).assignee == ana  # closed history stays as it was
    assert tray_counts.drift() == {}
    assert_consistent_history(Ticket.objects.filter(pk__in=held, subject="Otra"))  # filed through the services
    assert {m.to[0] for m in mail.outbox if "sin asignar" in m.subject} == {"olga@example.com"}


@pytest.mark.parametrize("how", WAYS)
def test_losing_access_can_pass_open_requests_to_a_chosen_person(desk, how):
    world, ana, admin = desk
    olga = world["topic operator"]
    result = lose_access(how, world, ana, admin, reassign_to=olga)
    assert (result.reassigned, result.released) == (2, 0)
    assert len(open_held_by(olga)) == 2 and open_held_by(ana) == []
    assert tray_counts.drift() == {}
    assert sum("Te asignaron" in m.subject for m in mail.outbox if m.to == ["olga@example.com"]) == 2


def test_a_chosen_person_who_cannot_take_a_request_gets_none_of_it(desk):
    world, ana, admin = desk
    result = lose_access("deactivated", world, ana, admin, reassign_to=world["other operator"])
    assert (result.reassigned, result.released) == (0, 2)  # Omar does not work «Facturación»


def test_an_administrator_made_operator_keeps_the_requests_of_their_topics_only(db):
    world = make_world(State.NEW)
    boss = AdminFactory(email="jefa@example.com")
    world.topic.operators.add(boss)
    mine, _ = services.create(by=world["requester"], topic=world.topic, subject="Mía", description="A")
    services.take(mine, by=boss)
    outside, _ = services.create(by=world["requester"], topic=world.other_topic, subject="Ajena", description="B")
    services.take(outside, by=boss)
    from accounts import services as account_services

    result = account_services.change_role(boss, Role.OPERATOR, by=world["administrator"])
    assert (result.reassigned, result.released) == (0, 1)
    assert open_held_by(boss) == [mine.number]


def test_the_users_page_says_how_many_and_reassigns_on_the_same_form(client, desk):
    world, ana, admin = desk
    client.force_login(admin)
    page = client.get(reverse("accounts:user_detail", args=[ana.pk]))
    assert page.context["held"] == 2
    assert "Tiene 2 solicitudes abiertas asignadas" in page.content.decode()

    refused = client.post(reverse("accounts:user_deactivate", args=[ana.pk]), {"desactivar-pendientes": "reasignar"})
    assert refused.status_code == 400
    assert "Elegí a quién pasarle las solicitudes." in refused.content.decode()
    assert User.objects.get(pk=ana.pk).is_active  # nothing half-done

    olga = world["topic operator"]
    done = client.post(reverse("accounts:user_deactivate", args=[ana.pk]),
                       {"desactivar-pendientes": "reasignar", "desactivar-reasignar_a": olga.pk}, follow=True)
    assert "2 solicitudes pasaron a Olga Operadora" in done.content.decode()
    assert len(open_held_by(olga)) == 2


@pytest.mark.parametrize("who", ["client", "operator", "anonymous"])
def test_only_administrators_hand_off(client, desk, who):
    world, ana, admin = desk
    if who == "client":
        client.force_login(world["requester"])
    elif who == "operator":
        client.force_login(world["topic operator"])
    response = client.post(reverse("accounts:user_deactivate", args=[ana.pk]),
                           {"desactivar-pendientes": "reasignar", "desactivar-reasignar_a": world["topic operator"].pk})
    assert response.status_code in (302, 404)
    assert User.objects.get(pk=ana.pk).is_active and len(open_held_by(ana)) == 2


def test_reopening_a_request_whose_assignee_left_puts_it_back_to_new(desk):
    world, ana, admin = desk
    from accounts import services as account_services

    account_services.deactivate(ana, by=admin)
    services.reply(world.closed, by=world["requester"], body="Sigue fallando")
    ticket = Ticket.objects.get(pk=world.closed.pk)
    assert (ticket.state, ticket.assignee) == (State.NEW, None)
    assert tray_counts.drift() == {}


# --- An answer must not leave a Nuevo request unowned --------------------------------------------------------

# (who writes, public?) → whether the Nuevo request is taken by them
ANSWERS = [
    ("topic operator", False, True),
    ("administrator", False, True),
    ("topic operator", True, False),  # an internal comment is not an answer to the client
    ("requester", False, False),
]


@pytest.mark.parametrize(("who", "internal", "takes"), ANSWERS)
def test_an_answer_on_a_new_request_takes_it(who, internal, takes):
    world = make_world(State.NEW)
    write = services.comment_internally if internal else services.reply
    outcome = write(world.ticket, by=world[who], body="Hola")
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert outcome.taken == takes
    if takes:
        assert (ticket.state, ticket.assignee) == (State.IN_PROGRESS, world[who])
        assert ticket.events.filter(kind=EventKind.TAKEN, actor=world[who]).exists()
        with pytest.raises(services.AlreadyTaken):
            services.take(ticket, by=world["assignee"])
    else:
        assert (ticket.state, ticket.assignee) == (State.NEW, None)


def test_an_operator_filing_for_themselves_does_not_take_it_by_writing(db):
    operator = OperatorFactory()
    topic = TopicFactory(operators=[operator, OperatorFactory()])
    ticket, _ = services.create(by=operator, topic=topic, subject="Mi notebook", description="No prende.")
    assert not services.reply(ticket, by=operator, body="Sigo esperando").taken


def test_the_reply_page_says_the_request_was_taken(client):
    world = make_world(State.NEW)
    client.force_login(world["topic operator"])
    response = client.post(reverse("tickets:reply", args=[world.ticket.number]), {"body": "Lo vemos"}, follow=True)
    assert "quedó asignada a vos" in response.content.decode()


def test_the_topics_page_keeps_a_topic_listed_with_deactivated_operators(client, db):
    admin = AdminFactory()
    TicketFactory(topic=TopicFactory(name="Con gente inactiva", operators=[OperatorFactory(is_active=False)]))
    client.force_login(admin)
    assert Topic.objects.count() == 1
    assert "Los clientes no la ven" in client.get(reverse("topics:list")).content.decode()


# --- The client closes their own request ("Ya está resuelto") ----------------------------------------------

@pytest.mark.parametrize("who", ["requester", "colleague", "another client", "topic operator", "other operator",
                                 "assignee", "administrator", "anonymous"])
def test_only_the_requester_may_say_it_is_resolved(client, who):
    world = make_world(State.IN_PROGRESS)
    if who != "anonymous":
        client.force_login(world[who])
    page = client.get(world.ticket.get_absolute_url())
    response = client.post(reverse("tickets:resolve", args=[world.ticket.number]), {"message": "Listo"})
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    if who == "requester":
        assert "resolve_form" in page.context and response.status_code == 302
        assert (ticket.state, ticket.closed_by) == (State.CLOSED, world["requester"])
        assert ticket.events.filter(kind=EventKind.CLOSED, actor=world["requester"]).exists()
        assert ticket.interventions.get().body == "Listo"
    else:
        assert page.status_code != 200 or "resolve_form" not in page.context
        assert response.status_code in (302, 404) and ticket.state == State.IN_PROGRESS
        if who != "anonymous":
            assert response.status_code == 404


def test_a_closed_request_cannot_be_resolved_again(client):
    world = make_world(State.CLOSED)
    client.force_login(world["requester"])
    assert "resolve_form" not in client.get(world.ticket.get_absolute_url()).context
    with pytest.raises(services.Refused):
        services.resolve(world.ticket, by=world["requester"])


def test_the_topic_page_counts_what_its_operators_hold_in_one_query(client, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world, ana, admin = desk
    client.force_login(admin)
    url = reverse("topics:edit", args=[world.topic.pk])
    page = client.get(url)
    assert page.context["held"] == 2 and "Quien deje de atender esta temática" in page.content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        world.topic.operators.add(OperatorFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)  # no query per operator
