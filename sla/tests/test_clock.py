"""The SLA clock of a request, in hand-built cases with the answers worked out beforehand (issue 15).

Schedule: Monday–Friday 9–18 (the default). Targets, in business hours: «Facturación» Normal 2 h to the first
response and 16 h to the resolution; «Reclamos» Normal 4 h and 24 h. Monday 15/6/2026 is a holiday (Güemes).
"""

from datetime import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from sla.business_hours import BUENOS_AIRES
from sla.models import Target
from tickets import services
from tickets.models import EventKind, Priority, State, Ticket
from tickets.tests.conftest import make_world

pytestmark = [pytest.mark.usefixtures("private_storage")]


def at(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BUENOS_AIRES)


class Clock:
    def __init__(self, monkeypatch):
        self.now = None
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, text):
        self.now = at(text)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def world(db):
    world = make_world()
    Target.objects.create(topic=world.topic, priority=Priority.NORMAL, first_response_hours=Decimal(2),
                          resolution_hours=Decimal(16))
    Target.objects.create(topic=world.other_topic, priority=Priority.NORMAL, first_response_hours=Decimal(4),
                          resolution_hours=Decimal(24))
    return world


def file(world, clock, when):
    clock.set(when)
    ticket, _created = services.create(by=world["requester"], topic=world.topic, subject="No llegó la factura",
                                       description="Falta la factura de mayo.")
    return Ticket.objects.get(pk=ticket.pk)


def fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def sla_mail():
    sent = [(message.to[0].split("@")[0], message.subject) for message in mail.outbox if "SLA" in message.subject]
    mail.outbox.clear()
    return sent


def beat(clock, when):
    clock.set(when)
    return services.run_sla_clock(now=clock.now)


def test_filed_on_friday_evening_before_a_holiday_monday(world, clock):
    ticket = file(world, clock, "2026-06-12 17:30")
    # 30 minutes on Friday, then Tuesday (Monday is a holiday): 2 h → Tue 10:30; 16 h → Wed 15:30.
    assert ticket.first_response_due_at == at("2026-06-16 10:30")
    assert ticket.resolution_due_at == at("2026-06-17 15:30")
    assert ticket.sla_due_at == ticket.first_response_due_at
    assert ticket.sla_warn_at == at("2026-06-16 10:06")  # 80 % of 120 minutes = 96: 30 on Friday, 66 on Tuesday
    services.take(ticket, by=world["assignee"])
    mail.outbox.clear()

    assert beat(clock, "2026-06-15 12:00") == (0, 0)  # the holiday: nothing passes
    assert beat(clock, "2026-06-16 10:05") == (0, 0)
    assert beat(clock, "2026-06-16 10:06") == (1, 0)
    assert sla_mail() == [("ana.asignada", f"Está por vencer el SLA de la solicitud #{ticket.number}: "
                                           "No llegó la factura")]
    assert beat(clock, "2026-06-16 10:20") == (0, 0)  # once
    assert beat(clock, "2026-06-16 10:30") == (0, 1)
    assert sla_mail() == [("ana.asignada", f"Venció el SLA de la solicitud #{ticket.number}: No llegó la factura")]
    assert beat(clock, "2026-06-16 10:40") == (0, 0)
    kinds = list(fresh(ticket).events.filter(kind__startswith="sla").values_list("kind", flat=True))
    assert kinds == [EventKind.SLA_WARNING, EventKind.SLA_BREACHED]

    clock.set("2026-06-16 10:45")
    services.reply(ticket, by=world["assignee"], body="Ya la reenviamos.")
    ticket = fresh(ticket)
    assert (ticket.first_response_at, ticket.first_response_minutes) == (at("2026-06-16 10:45"), 30 + 105)
    assert ticket.first_response_by == world["assignee"]
    assert ticket.sla_due_at == ticket.resolution_due_at == at("2026-06-17 15:30")
    assert ticket.sla_warn_at == at("2026-06-17 12:18")  # 768 minutes: 30 Fri, 540 Tue, 198 Wed
    assert ticket.sla_notified == 0  # the resolution's own warning and breach are still to come
    assert beat(clock, "2026-06-17 12:18") == (1, 0)


def test_waiting_on_the_client_for_two_days_stops_the_clock(world, clock):
    ticket = file(world, clock, "2026-06-01 10:00")
    assert ticket.resolution_due_at == at("2026-06-02 17:00")
    clock.set("2026-06-01 11:00")
    services.reply(ticket, by=world["topic operator"], body="¿Nos mandás el CUIT?", wait=True)
    assert fresh(ticket).first_response_minutes == 60
    mail.outbox.clear()
    # Past the old deadline while waiting on the client: no warning, no breach.
    assert beat(clock, "2026-06-02 17:30") == (0, 0)
    assert sla_mail() == []
    clock.set("2026-06-03 11:00")
    services.reply(ticket, by=world["requester"], body="Es 30-71234567-8.")
    ticket = fresh(ticket)
    # Paused Mon 11–18 (420) + Tue (540) + Wed 9–11 (120) = 1080; the 900 left at the pause run from Wed 11:00.
    assert ticket.sla_paused_minutes == 1080
    assert ticket.resolution_due_at == ticket.sla_due_at == at("2026-06-04 17:00")
    assert beat(clock, "2026-06-04 16:59") == (1, 0)
    assert beat(clock, "2026-06-04 17:00") == (0, 1)


def test_a_topic_change_halfway_uses_the_new_topics_target(world, clock):
    ticket = file(world, clock, "2026-06-01 09:00")
    assert ticket.first_response_due_at == at("2026-06-01 11:00")
    mail.outbox.clear()
    assert beat(clock, "2026-06-01 10:36") == (1, 0)  # 80 % of 2 h; nobody holds it: the topic's operators
    assert {who for who, _subject in sla_mail()} == {"olga", "ana.asignada"}
    clock.set("2026-06-01 10:45")
    services.change_topic(ticket, by=world["administrator"], topic=world.other_topic)
    ticket = fresh(ticket)
    assert ticket.first_response_due_at == at("2026-06-01 13:00")  # 4 h from filing
    assert ticket.resolution_due_at == at("2026-06-03 15:00")  # 24 h: Mon, Tue, and 6 h on Wed
    assert ticket.sla_warn_at == at("2026-06-01 12:12")
    mail.outbox.clear()
    assert beat(clock, "2026-06-01 11:00") == (0, 0)  # the old deadline does not count any more
    assert beat(clock, "2026-06-01 12:12") == (1, 0)
    assert sla_mail() == [("omar", f"Está por vencer el SLA de la solicitud #{ticket.number}: No llegó la factura")]


def test_a_reopened_request_does_not_count_the_days_it_was_closed(world, clock):
    ticket = file(world, clock, "2026-06-01 09:00")
    clock.set("2026-06-01 10:00")
    services.reply(ticket, by=world["assignee"], body="Lo vemos.")
    clock.set("2026-06-01 12:00")
    services.close(ticket, by=world["assignee"])
    assert fresh(ticket).resolution_due_at == at("2026-06-02 16:00")
    clock.set("2026-06-03 09:00")
    services.reply(ticket, by=world["requester"], body="Volvió a pasar.")
    ticket = fresh(ticket)
    assert ticket.state == State.IN_PROGRESS
    assert ticket.sla_paused_minutes == 360 + 540  # closed Mon 12–18 and all Tuesday
    assert ticket.resolution_due_at == at("2026-06-04 13:00")
    assert ticket.first_response_minutes == 60  # the first answer stays the first
    clock.set("2026-06-04 12:00")
    services.close(ticket, by=world["assignee"])
    ticket = fresh(ticket)
    assert ticket.closed_at <= ticket.resolution_due_at  # resolved on time: 900 business minutes of 960


def test_only_a_public_answer_of_staff_is_the_first_response(world, clock):
    ticket = file(world, clock, "2026-06-01 09:00")
    clock.set("2026-06-01 09:30")
    services.reply(ticket, by=world["requester"], body="¿Novedades?")
    services.comment_internally(ticket, by=world["topic operator"], body="Hay que llamar a Rita.")
    assert fresh(ticket).first_response_at is None
    clock.set("2026-06-01 09:45")
    services.close(ticket, by=world["topic operator"], message="Reenviada.")
    assert fresh(ticket).first_response_minutes == 45


def test_a_request_without_a_target_has_no_due_times(world, clock):
    clock.set("2026-06-01 09:00")
    services.set_priority(world.ticket, by=world["assignee"], priority=Priority.URGENT)  # no Urgente target
    ticket = fresh(world.ticket)
    assert ticket.sla_due_at is ticket.first_response_due_at is ticket.resolution_due_at is None
    assert beat(clock, "2026-07-01 09:00") == (0, 0)
