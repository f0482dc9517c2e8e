import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone
from stdnum.ar import cuit

from accounts.models import Company, Role, User
from reports import summary
from tickets.demo_data import DEMO_PASSWORD
from tickets.models import Event, EventKind, Intervention, State, Ticket
from tickets.tests.history import assert_consistent_history, delete_attachment_files, stored_attachment_names
from topics.models import Topic


def generate(count, seed=1):
    output = StringIO()
    call_command("generate_tickets", str(count), "--seed", str(seed), "--batch-size", "120",
                 stdout=output, stderr=StringIO())
    return output.getvalue()


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    names = stored_attachment_names()
    yield
    delete_attachment_files(names)


def subjects_digest(tickets):
    text = "\n".join(f"{t.topic_id}|{t.subject}|{t.description}" for t in tickets.order_by("number"))
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.django_db
def test_it_creates_exactly_n_consistent_requests_and_reports_its_speed():
    output = generate(300)

    tickets = Ticket.objects.all()
    assert tickets.count() == 300
    assert_consistent_history(tickets)
    assert "300 solicitudes" in output
    assert "solicitudes/s" in output
    assert summary.drift() == {}  # the reports' summaries (days, time spent, surveys) were rebuilt


def test_the_demo_leaves_the_report_summaries_exact(demo):
    assert summary.drift() == {}


@pytest.mark.django_db
def test_requests_spread_over_two_years_mostly_closed_with_a_few_messages_each():
    generate(300)

    now = timezone.now()
    tickets = Ticket.objects.all()
    assert tickets.filter(created_at__lt=now - timedelta(days=700)).exists()
    assert not tickets.filter(created_at__lt=now - timedelta(days=732)).exists()
    assert not tickets.filter(last_activity_at__gt=now).exists()
    assert tickets.filter(state=State.CLOSED).count() > 250
    assert 2 <= Intervention.objects.count() / 300 <= 4.5
    assert Intervention.objects.filter(internal=True).exists()


@pytest.mark.django_db
def test_people_are_valid():
    generate(300)

    assert Topic.objects.filter(is_active=True).count() >= 6
    for company in Company.objects.all():
        assert cuit.is_valid(company.cuit)
    emails = list(User.objects.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)
    assert all(email == email.lower() for email in emails)
    assert not User.objects.filter(role=Role.CLIENT, company=None).exists()
    assert not User.objects.filter(role=Role.OPERATOR, topics=None).exists()
    assert User.objects.first().check_password(DEMO_PASSWORD)
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == len(emails)


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_requests():
    digests = []
    for seed in (7, 7, 8):
        earlier = list(Ticket.objects.values_list("number", flat=True))
        generate(200, seed)
        digests.append(subjects_digest(Ticket.objects.exclude(number__in=earlier)))

    assert digests[0] == digests[1] != digests[2]


@pytest.mark.django_db
def test_it_adds_to_existing_data_and_normal_inserts_still_work_afterwards(demo):
    demo_subjects = dict(Ticket.objects.values_list("number", "subject"))

    generate(300)

    assert Ticket.objects.count() == len(demo_subjects) + 300
    assert dict(Ticket.objects.filter(number__in=demo_subjects).values_list("number", "subject")) == demo_subjects
    client = User.objects.create_user("nuevo@example.com", "clave-larga-de-prueba", full_name="Nuevo Cliente",
                                      company=Company.objects.create(name="Nueva S.A.", cuit="30-71876544-3"))
    ticket = Ticket.objects.create(topic=Topic.objects.first(), subject="Después", description="Alta normal",
                                   requester=client, company=client.company)
    Intervention.objects.create(ticket=ticket, author=client, body="Un mensaje más")
    Event.objects.create(ticket=ticket, actor=client, kind=EventKind.CREATED)
    assert ticket.number > max(Ticket.objects.exclude(pk=ticket.pk).values_list("number", flat=True))


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL sequences (DATABASE_URL=postgres://…)")
def test_postgres_sequences_are_moved_past_the_generated_ids():
    generate(150)

    with connection.cursor() as cursor:
        for model in (Ticket, Intervention, Event, User, Company):
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
            cursor.execute(f"SELECT last_value FROM {cursor.fetchone()[0]}")  # noqa: S608 (a name from PostgreSQL)
            assert cursor.fetchone()[0] == model.objects.order_by("-pk").values_list("pk", flat=True)[0]


@pytest.mark.django_db
def test_it_refuses_a_count_below_one():
    with pytest.raises(CommandError):
        call_command("generate_tickets", "0")



@pytest.mark.django_db
def test_closed_requests_carry_their_survey_a_third_answered_mostly_well():
    from django.db.models import Avg, F

    from satisfaction.models import Survey

    generate(600)

    closed_by_staff = Ticket.objects.filter(state=State.CLOSED, closed_by__isnull=False).exclude(
        closed_by=F("requester"))
    surveys = Survey.objects.all()
    assert surveys.count() == closed_by_staff.count()
    assert not surveys.exclude(sent_at=F("ticket__closed_at")).exists()
    assert not surveys.exclude(assignee=F("ticket__assignee"), topic=F("ticket__topic")).exists()
    answered = surveys.filter(score__isnull=False)
    assert 0.25 <= answered.count() / surveys.count() <= 0.45
    assert 3.8 <= answered.aggregate(average=Avg("score"))["average"] <= 4.4
    assert answered.filter(score=1).exists() and answered.filter(score=5).count() > answered.filter(score=1).count()
    assert 0.1 <= answered.exclude(comment="").count() / answered.count() <= 0.4
    assert not answered.filter(answered_at__lt=F("sent_at")).exists()
    assert not surveys.filter(score__isnull=True).exclude(comment="").exists()


@pytest.mark.django_db
def test_staff_record_time_on_about_half_of_their_messages():
    from tickets.models import TimeEntry

    generate(300)

    entries = TimeEntry.objects.select_related("intervention", "ticket")
    staff_messages = Intervention.objects.exclude(author=F("ticket__requester")).count()
    assert 0.4 <= entries.count() / staff_messages <= 0.7
    assert not TimeEntry.objects.filter(author=F("ticket__requester")).exists()  # clients never record time
    for entry in entries[:200]:
        assert (entry.author_id, entry.at, entry.topic_id, entry.company_id) == (
            entry.intervention.author_id, entry.intervention.created_at, entry.ticket.topic_id,
            entry.ticket.company_id)
        assert 1 <= entry.minutes <= TimeEntry.MAX_MINUTES
    assert TimeEntry.objects.filter(intervention__internal=True).exists()
    assert len(set(TimeEntry.objects.values_list("minutes", flat=True))) >= 5
