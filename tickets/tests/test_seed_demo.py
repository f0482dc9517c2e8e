from io import StringIO

import phonenumbers
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from stdnum.ar import cuit

from accounts.models import Company, Role, User
from tickets.demo_data import DEMO_PASSWORD
from tickets.models import Attachment, Event, EventKind, Intervention, State, Ticket
from tickets.tests.history import (
    assert_consistent_history,
    delete_attachment_files,
    stored_attachment_names,
)
from topics.models import Topic

DEMO_EMAILS = (
    "admin@demo.sysmo.ar", "operador1@demo.sysmo.ar", "operador2@demo.sysmo.ar", "operador3@demo.sysmo.ar",
    "cliente1@demo.sysmo.ar", "cliente2@demo.sysmo.ar", "cliente3@demo.sysmo.ar", "cliente4@demo.sysmo.ar",
    "cliente5@demo.sysmo.ar",
)


def run_seed_demo():
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def row_counts():
    models = (User, EmailAddress, Company, Topic, Topic.operators.through, Ticket, Intervention, Event, Attachment)
    return {model._meta.label: model.objects.count() for model in models}


@pytest.fixture
def demo_output(db):
    output = run_seed_demo()
    names = stored_attachment_names()
    yield output
    delete_attachment_files(names)


def test_running_it_again_changes_nothing(demo_output):
    counts = row_counts()

    second_output = run_seed_demo()

    assert row_counts() == counts
    assert counts["tickets.Ticket"] == 50
    assert counts["accounts.User"] == 9
    assert counts["tickets.Attachment"] == 2
    assert "ya existían" in second_output


def test_it_prints_every_demo_login_with_the_password(demo_output):
    for email in DEMO_EMAILS:
        line = next(line for line in demo_output.splitlines() if line.startswith(email))
        assert line.endswith(DEMO_PASSWORD)
    assert "Administrador" in demo_output


def test_demo_users_log_in_with_the_documented_password(demo_output):
    users = User.objects.filter(email__in=DEMO_EMAILS)

    assert users.count() == len(DEMO_EMAILS)
    for user in users:
        assert authenticate(username=user.email, password=DEMO_PASSWORD) == user
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
        validate_password(DEMO_PASSWORD, user)
        assert user.language == "es-ar"
        assert phonenumbers.is_valid_number(phonenumbers.parse(user.phone))
    admin = users.get(email="admin@demo.sysmo.ar")
    assert (admin.role, admin.is_staff, admin.is_superuser) == (Role.ADMIN, True, True)


def test_a_changed_password_is_restored(demo_output):
    client = User.objects.get(email="cliente1@demo.sysmo.ar")
    client.set_password("otra-clave-cualquiera")
    client.save()

    run_seed_demo()

    client.refresh_from_db()
    assert client.check_password(DEMO_PASSWORD)


def test_companies_have_valid_cuits_and_clients_belong_to_them(demo_output):
    companies = Company.objects.all()

    assert companies.count() == 2
    for company in companies:
        assert cuit.is_valid(company.cuit)
        assert company.cuit == cuit.format(company.cuit)
    clients = User.objects.filter(role=Role.CLIENT)
    assert clients.count() == 5
    assert not clients.filter(company=None).exists()


def test_each_operator_works_one_topic(demo_output):
    topics = Topic.objects.order_by("name")

    assert [topic.name for topic in topics] == ["Facturación", "Reclamos", "Soporte técnico"]
    for topic in topics:
        assert topic.description
        assert [user.role for user in topic.operators.all()] == [Role.OPERATOR]


def test_requests_cover_every_state_with_a_consistent_history(demo_output):
    tickets = Ticket.objects.all()

    assert set(tickets.values_list("state", flat=True)) == {State.NEW, State.IN_PROGRESS, State.CLOSED}
    assert set(Event.objects.values_list("kind", flat=True)) >= {
        EventKind.CREATED, EventKind.TAKEN, EventKind.ASSIGNED, EventKind.CLOSED, EventKind.REOPENED,
    }
    assert_consistent_history(tickets)


def test_both_sides_write_and_operators_leave_internal_comments(demo_output):
    public = Intervention.objects.filter(internal=False)
    internal = Intervention.objects.filter(internal=True)

    assert public.filter(author__role=Role.CLIENT).exists()
    assert public.filter(author__role=Role.OPERATOR).exists()
    assert internal.exists()
    assert not internal.filter(author__role=Role.CLIENT).exists()


def test_attachments_are_readable_from_private_storage(demo_output):
    on_description = Attachment.objects.get(intervention=None)
    on_reply = Attachment.objects.get(intervention__isnull=False)

    for attachment in (on_description, on_reply):
        assert attachment.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
        with attachment.file.open("rb") as stored:
            assert len(stored.read()) == attachment.size
    with on_description.file.open("rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert on_reply.intervention.ticket_id == on_reply.ticket_id
    assert not on_reply.intervention.internal


def test_operators_recorded_time_on_some_of_their_messages(demo_output):
    from tickets.models import TimeEntry

    entries = TimeEntry.objects.select_related("intervention", "ticket")
    assert entries.count() >= 10
    for entry in entries:
        assert entry.intervention.author.is_operator and entry.author_id == entry.intervention.author_id
        assert entry.author_id != entry.ticket.requester_id
