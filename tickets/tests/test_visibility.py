"""`Ticket.objects.visible_to(user)`: the one rule of who sees a request, for every kind of user."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from tickets.models import State, Ticket
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory


@pytest.fixture
def world(db):
    """One request of topic «Facturación», and one person of every kind around it."""
    topic_operator = OperatorFactory(full_name="Operadora de Facturación")
    billing = TopicFactory(name="Facturación", operators=[topic_operator])
    other_operator = OperatorFactory(full_name="Operador de Reclamos")
    TopicFactory(name="Reclamos", operators=[other_operator])
    assignee = OperatorFactory(full_name="Operador asignado sin la temática")
    requester = ClientFactory()
    ticket = TicketFactory(topic=billing, requester=requester, state=State.IN_PROGRESS, assignee=assignee)
    people = {
        "anonymous": AnonymousUser(),
        "requester": requester,
        "another client": ClientFactory(),
        "colleague of the same company": ClientFactory(company=requester.company),
        # Signed up with the company's CUIT, not yet accepted (accounts.membership): sees no colleague's data.
        "pending colleague of the same company": ClientFactory(company=requester.company, company_confirmed=False),
        "operator of the topic": topic_operator,
        "operator of another topic": other_operator,
        "assignee": assignee,
        "administrator": AdminFactory(),
        "deactivated administrator": AdminFactory(is_active=False),
    }
    return ticket, people


CASES = [
    ("anonymous", False),
    ("requester", True),
    ("another client", False),
    ("colleague of the same company", False),
    ("pending colleague of the same company", False),
    ("operator of the topic", True),
    ("operator of another topic", False),
    ("assignee", True),
    ("administrator", True),
    ("deactivated administrator", False),
]


@pytest.mark.parametrize(("who", "sees"), CASES)
def test_who_sees_a_request(world, who, sees):
    ticket, people = world
    assert Ticket.objects.visible_to(people[who]).filter(number=ticket.number).exists() is sees


def test_a_pending_member_sees_their_own_requests(world):
    ticket, people = world
    requester = people["requester"]
    requester.company_confirmed = False
    requester.save()
    assert list(Ticket.objects.visible_to(requester)) == [ticket]


def test_a_deactivated_requester_no_longer_sees_their_requests(world):
    ticket, people = world
    requester = people["requester"]
    requester.is_active = False
    requester.save()
    assert not Ticket.objects.visible_to(requester).exists()


def test_operator_sees_own_requests_of_any_topic_and_nothing_else(world):
    ticket, people = world
    operator = people["operator of another topic"]
    own = TicketFactory(requester=operator, company=None)  # filed on their own behalf, in a topic not theirs
    visible = set(Ticket.objects.visible_to(operator).values_list("number", flat=True))
    assert visible == {own.number}


def test_operator_sees_every_request_of_each_of_their_topics(db):
    operator = OperatorFactory()
    topics = [TopicFactory(operators=[operator]) for _ in range(2)]
    mine = {TicketFactory(topic=t).number for t in topics for _ in range(2)}
    TicketFactory()  # another topic, unassigned
    assert set(Ticket.objects.visible_to(operator).values_list("number", flat=True)) == mine


def test_administrator_sees_every_request(db):
    numbers = {TicketFactory().number for _ in range(3)}
    admin = AdminFactory()
    assert set(Ticket.objects.visible_to(admin).values_list("number", flat=True)) == numbers


def test_visibility_is_one_query_without_duplicates(db, django_assert_num_queries):
    operator = OperatorFactory(role=Role.OPERATOR)
    topic = TopicFactory(operators=[operator])
    TicketFactory(topic=topic, assignee=operator, requester=operator, company=None)
    with django_assert_num_queries(1):
        rows = list(Ticket.objects.visible_to(operator))
    assert len(rows) == 1


# --- The SQL rule and the Python rule agree on every combination ----------------------------------------------

COMBINATIONS = [
    (role, active, in_topic, is_assignee, is_requester, state)
    for role in Role for active in (True, False) for in_topic in (True, False)
    for is_assignee in (True, False) for is_requester in (True, False) for state in State
    if not (is_assignee and state == State.NEW)
]


@pytest.mark.django_db
def test_visible_to_and_can_view_agree_on_every_combination():
    """`Ticket.objects.visible_to` (SQL) and `permissions.can_view` (Python, for a request in hand) are two
    spellings of one rule: role × active × topic membership × assignment × requester × state."""
    from tickets import permissions

    topic = TopicFactory(name="Facturación")
    disagreements = []
    for role, active, in_topic, is_assignee, is_requester, state in COMBINATIONS:
        person = {Role.CLIENT: ClientFactory, Role.OPERATOR: OperatorFactory, Role.ADMIN: AdminFactory}[role](
            is_active=active)
        if in_topic:
            topic.operators.add(person)
        ticket = TicketFactory(
            topic=topic, state=state, requester=person if is_requester else ClientFactory(),
            assignee=person if is_assignee else None, closed_at=timezone.now() if state == State.CLOSED else None,
        )
        person = type(person).objects.get(pk=person.pk)  # fresh: no cached topics
        in_sql = Ticket.objects.visible_to(person).filter(pk=ticket.pk).exists()
        if in_sql != permissions.can_view(person, ticket):
            disagreements.append((role, active, in_topic, is_assignee, is_requester, state, in_sql))
    assert disagreements == []
    assert len(COMBINATIONS) > 100
