"""The reports' daily summary (reports.summary): the services keep it equal to a count from scratch after every
kind of change, the report figures it gives equal those counted from the requests for any period, and
`rebuild_report_summary --check` finds rows written around the services."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.tests.factories import ClientFactory, verified
from mail import inbound, replies
from mail.tests import messages
from reports import metrics, satisfaction, service_quality, summary, time_spent
from reports.tests.dataset import build_week
from satisfaction import services as satisfaction_services
from satisfaction.models import Survey
from sla.models import Target
from tickets import services
from tickets.models import Intervention, Priority, State, TimeEntry
from tickets.tests.conftest import make_world
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
BA = ZoneInfo("America/Argentina/Buenos_Aires")


class Clock:
    """timezone.now() under the test's control: changes land on chosen local days."""

    def __init__(self, monkeypatch):
        self.now = datetime(2026, 3, 30, 10, 0, tzinfo=BA)  # a Monday, two days before a month ends
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def later(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def world(monkeypatch, settings):
    settings.INBOUND_ADDRESS = "Sysmo Tickets <soporte@sysmo.example.com.ar>"
    clock = Clock(monkeypatch)
    world = make_world()
    Target.objects.create(topic=world.topic, priority=Priority.NORMAL, first_response_hours=2, resolution_hours=8)
    Target.objects.create(topic=world.other_topic, priority=Priority.URGENT, first_response_hours=1,
                          resolution_hours=4)
    summary.rebuild()  # the world's request was made by a factory
    world.clock = clock
    return world


def new_request(world, subject="Pedido"):
    return services.create(by=world["requester"], topic=world.topic, subject=subject, description="Texto.")[0]


def closed_and_reopened(world):
    ticket = new_request(world)
    world.clock.later(hours=3)
    services.close(ticket, by=world["assignee"], message="Listo.")  # takes it, answers first, closes
    world.clock.later(days=1)
    services.reopen(ticket, by=world["assignee"])
    world.clock.later(days=2)  # closed again in the next month
    services.close(ticket, by=world["topic operator"])


def reopened_by_the_clients_answer(world):
    ticket = new_request(world)
    services.take(ticket, by=world["assignee"])
    world.clock.later(hours=30)
    services.close(ticket, by=world["assignee"])
    world.clock.later(days=3)
    services.reply(ticket, by=world["requester"], body="Sigue fallando.")


def answered_then_moved(world):
    ticket = new_request(world)
    world.clock.later(hours=1)
    services.reply(ticket, by=world["topic operator"], body="Lo miro.")  # first response, takes it
    world.clock.later(hours=1)
    services.set_priority(ticket, by=world["topic operator"], priority=Priority.URGENT)
    services.change_topic(ticket, by=world["administrator"], topic=world.other_topic)  # back to Nuevo there
    world.clock.later(days=2)
    services.close(ticket, by=world["other operator"])


def assigned_and_released(world):
    ticket = new_request(world)
    services.assign(ticket, by=world["administrator"], assignee=world["assignee"])
    world.clock.later(hours=5)
    services.reply(ticket, by=world["assignee"], body="Estamos en eso.", wait=True)
    world.topic.operators.remove(world["assignee"])
    services.hand_off_stranded(world["assignee"], by=world["administrator"])


def closed_by_the_waiting_clock(world):
    ticket = new_request(world)
    services.reply(ticket, by=world["assignee"], body="¿Sigue pasando?", wait=True)
    world.clock.later(days=8)
    services.run_waiting_clock()
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED


def resolved_by_the_requester(world):
    ticket = new_request(world)
    world.clock.later(minutes=20)
    services.resolve(ticket, by=world["requester"], message="Ya anda.")


def for_a_new_client(world):
    data = services.NewClient(full_name="Nora Nueva", email="nora@ferreteria.com.ar",
                              company=world["requester"].company)
    ticket, _client = services.create_for_new_client(by=world["topic operator"], new_client=data, topic=world.topic,
                                                     subject="Llamó por teléfono", description="No imprime.")
    world.clock.later(days=1)
    services.close(ticket, by=world["topic operator"], message="Resuelto por teléfono.")


def by_email(world):
    client = verified(ClientFactory(full_name="Carla Nueva", email="carla@example.com"))
    message, _created = inbound.receive(messages.build(
        sender="carla@example.com", to="soporte+facturacion@sysmo.example.com.ar", subject="Factura",
        text="No me llegó la factura."))
    assert message.state == message.State.PROCESSED, message.reason
    ticket = client.requested_tickets.get()
    services.reply(ticket, by=world["assignee"], body="Se la reenviamos.")
    world.clock.later(hours=2)
    services.close(ticket, by=world["assignee"])
    world.clock.later(days=1)
    inbound.receive(messages.build(sender="carla@example.com", to=replies.reply_address(ticket.number, client.pk),
                                   text="No llegó otra vez."))  # reopens it
    ticket.refresh_from_db()
    assert ticket.state != State.CLOSED


def time_recorded_across_a_month_end(world):
    ticket = new_request(world)
    services.reply(ticket, by=world["assignee"], body="Lo reviso.", minutes=30)
    world.clock.later(days=1, hours=13)  # 31/03 23:00 in Buenos Aires: still March
    services.comment_internally(ticket, by=world["topic operator"], body="Llamé al cliente.", minutes=45)
    services.change_topic(ticket, by=world["administrator"], topic=world.other_topic)
    world.clock.later(hours=2)  # 01/04: the time of the next month, under the other topic
    services.reply(ticket, by=world["other operator"], body="Ya está.", minutes=5)


def survey_answered_and_changed(world):
    ticket = new_request(world)
    services.close(ticket, by=world["assignee"], message="Listo.")  # the closing email asks for the survey
    survey = Survey.objects.get(ticket=ticket)
    world.clock.later(days=2)  # 01/04: answered in the next month, counted when it was sent
    satisfaction_services.answer(survey, score=2)
    satisfaction_services.answer(survey, score=5)  # changed within the week
    services.reopen(ticket, by=world["assignee"])
    services.close(ticket, by=world["topic operator"])  # answered: not asked again
    other = new_request(world, "Otro")
    services.close(other, by=world["assignee"])
    world.clock.later(days=1)
    services.reopen(other, by=world["assignee"])
    services.change_topic(other, by=world["administrator"], topic=world.other_topic)
    services.close(other, by=world["other operator"], message="Ahora sí.")  # not answered: asked again


PATHS = [closed_and_reopened, reopened_by_the_clients_answer, answered_then_moved, assigned_and_released,
         closed_by_the_waiting_clock, resolved_by_the_requester, for_a_new_client, by_email,
         time_recorded_across_a_month_end, survey_answered_and_changed]


def every_figure(tickets, period):
    """Every figure of the page and downloads for one period."""
    return {
        "received": metrics.received(tickets, period),
        "received per day": metrics.received_per_day(tickets, period),
        "closed per day": metrics.closed_per_day(tickets, period),
        "resolution": metrics.resolution(tickets, period),
        "open at the end": metrics.open_at_end(tickets, period),
        "per operator": metrics.resolved_per_operator(tickets, period),
        "per topic": metrics.per_topic(tickets, period),
        "per priority": metrics.per_priority(tickets, period),
        **{f"first responses {group}": service_quality.first_responses(tickets, period, group)
           for group in (None, "topic", "first_response_by")},
        "compliance": service_quality.compliance(tickets, period),
        "time spent": time_spent.time_spent_of_every_group(tickets, period),
        "satisfaction": satisfaction.figures_of_every_group(tickets, period),
        **{f"satisfaction {group}": satisfaction.figures(tickets, period, group)
           for group in (None, "assignee", "topic")},
        "answers": satisfaction.distribution(tickets, period),
        **{f"time spent {group}": time_spent.time_spent(tickets, period, group)
           for group in (None, "user", "topic", "company")},
    }


def assert_same_as_counted(user, periods, **filters):
    """The figures from the summary equal those counted from the requests (a further filter drops the
    summary: `.all()`)."""
    summed = metrics.requests_for(user, **filters)
    assert summary.scope_of(summed) is not None and summary.scope_of(summed.all()) is None
    for period in periods:
        assert every_figure(summed, period) == every_figure(summed.all(), period), period


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.__name__)
def test_the_services_keep_the_summary_exact(world, path):
    path(world)
    assert summary.drift() == {}
    periods = [metrics.Period(date(2026, 3, 30), date(2026, 3, 30)),
               metrics.Period(date(2026, 3, 1), date(2026, 4, 30)),
               metrics.Period(date(2026, 3, 31), date(2026, 4, 2)),
               metrics.Period(date(2025, 4, 15), date(2026, 4, 14))]
    assert_same_as_counted(world["administrator"], periods)
    assert_same_as_counted(world["administrator"], periods, topic=world.topic)


@pytest.mark.parametrize("period", [
    metrics.Period(date(2026, 3, 1), date(2026, 3, 7)),  # the hand-built week
    metrics.Period(date(2026, 2, 22), date(2026, 2, 28)),
    metrics.Period(date(2026, 2, 28), date(2026, 2, 28)),  # one day
    metrics.Period(date(2026, 1, 15), date(2026, 3, 2)),  # a whole month and days on both sides
    metrics.Period(date(2026, 2, 1), date(2026, 3, 31)),  # whole months only
    metrics.Period(date(2024, 3, 8), date(2026, 3, 7)),  # two years
    metrics.Period(date(2020, 1, 1), date(2020, 1, 31)),  # before any request
], ids=str)
def test_the_summary_gives_the_figures_counted_from_the_requests(period):
    week = build_week()
    assert_same_as_counted(week.admin, [period])
    assert_same_as_counted(week.admin, [period], topic=week.facturacion)


def test_a_report_of_one_assignee_or_by_an_operator_counts_the_requests():
    week = build_week()
    assert summary.scope_of(metrics.requests_for(week.admin, operator=week.martin)) is None
    assert summary.scope_of(metrics.requests_for(week.martin)) is None


def test_check_finds_rows_written_around_the_services_and_rebuild_fixes_them(world, capsys):
    call_command("rebuild_report_summary", "--check")
    TicketFactory(topic=world.topic, created_at=datetime(2026, 3, 2, 9, tzinfo=BA), state=State.CLOSED,
                  closed_at=datetime(2026, 3, 3, 9, tzinfo=BA), closed_by=world["assignee"])
    with pytest.raises(CommandError, match="4 filas"):
        call_command("rebuild_report_summary", "--check")
    assert "d r 2026-03-02" in capsys.readouterr().out
    call_command("rebuild_report_summary")
    call_command("rebuild_report_summary", "--check")
    assert summary.drift() == {}


def test_check_finds_time_recorded_around_the_services(world, capsys):
    ticket = new_request(world)
    services.reply(ticket, by=world["assignee"], body="Lo miro.", minutes=10)
    call_command("rebuild_report_summary", "--check")
    message = Intervention.objects.create(ticket=ticket, author=world["assignee"], body="A mano.", internal=True)
    TimeEntry.objects.create(intervention=message, ticket=ticket, author=world["assignee"], topic=world.topic,
                             company_id=ticket.company_id, minutes=7, at=world.clock.now)
    with pytest.raises(CommandError, match="6 filas"):  # its day and month, under author, topic and company
        call_command("rebuild_report_summary", "--check")
    assert "tiempo u d 2026-03-30" in capsys.readouterr().out
    call_command("rebuild_report_summary")
    assert summary.drift() == {}
    today = metrics.Period(date(2026, 3, 30), date(2026, 3, 30))
    assert time_spent.time_spent(metrics.requests_for(world["administrator"]), today)[0].minutes == 17


def test_check_finds_surveys_written_around_the_services(world, capsys):
    ticket = new_request(world)
    services.close(ticket, by=world["assignee"], message="Listo.")
    call_command("rebuild_report_summary", "--check")
    Survey.objects.filter(ticket=ticket).update(score=4)  # answered around satisfaction.services
    with pytest.raises(CommandError, match="8 filas"):  # day and month, operator and topic, unanswered and 4
        call_command("rebuild_report_summary", "--check")
    assert "encuestas u d 2026-03-30" in capsys.readouterr().out
    call_command("rebuild_report_summary")
    assert summary.drift() == {}
