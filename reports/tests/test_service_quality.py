"""First response time and SLA compliance in the reports (issue 15), against a hand-built June 2026.

Facturación, Normal:
  #A filed Mon 1/6 09:00, first answer 10:00 by Ana (60 business min, 1 h), due 11:00: on time; closed Tue 2/6,
     resolution due Wed 3/6: on time.
  #B filed Fri 5/6 17:00, first answer Mon 8/6 10:00 by Olga (120 business min, 65 h), due then: on time;
     closed Wed 10/6, resolution due Tue 9/6: late.
Reclamos, Urgente:
  #C filed Wed 10/6 09:00, first answer 13:00 by Ana (240 business min, 4 h), due 11:00: late; still open.
May (the comparison): #D first answer by Ana after 30 business minutes.
"""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AdminFactory, OperatorFactory
from reports import metrics, service_quality, summary
from sla.business_hours import BUENOS_AIRES
from tickets.models import Priority, State
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

JUNE = metrics.Period(datetime(2026, 6, 1).date(), datetime(2026, 6, 30).date())
MAY = metrics.Period(datetime(2026, 5, 2).date(), datetime(2026, 5, 31).date())
QUERY = {"desde": "01/06/2026", "hasta": "30/06/2026"}


def at(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BUENOS_AIRES)


@pytest.fixture
def june():
    ana = OperatorFactory(full_name="Ana Asignada")
    olga = OperatorFactory(full_name="Olga Operadora")
    billing = TopicFactory(name="Facturación", operators=[ana, olga])
    claims = TopicFactory(name="Reclamos", operators=[ana])

    def make(topic, priority, created, answered, by, minutes, first_due, closed=None, resolution_due=None):
        return TicketFactory(
            topic=topic, priority=priority, created_at=at(created), first_response_at=at(answered),
            first_response_by=by, first_response_minutes=minutes, first_response_due_at=at(first_due),
            state=State.CLOSED if closed else State.IN_PROGRESS, assignee=by,
            closed_at=closed and at(closed), closed_by=closed and by,
            resolution_due_at=resolution_due and at(resolution_due))

    make(billing, Priority.NORMAL, "2026-06-01 09:00", "2026-06-01 10:00", ana, 60, "2026-06-01 11:00",
         "2026-06-02 12:00", "2026-06-03 09:00")
    make(billing, Priority.NORMAL, "2026-06-05 17:00", "2026-06-08 10:00", olga, 120, "2026-06-08 10:00",
         "2026-06-10 12:00", "2026-06-09 17:00")
    make(claims, Priority.URGENT, "2026-06-10 09:00", "2026-06-10 13:00", ana, 240, "2026-06-10 11:00")
    make(billing, Priority.NORMAL, "2026-05-20 09:00", "2026-05-20 09:30", ana, 30, "2026-05-20 11:00")
    summary.rebuild()  # written around the services
    return {"ana": ana, "olga": olga, "admin": AdminFactory()}


def tickets(june):
    return metrics.requests_for(june["admin"])


def test_first_response_in_business_and_calendar_hours(june):
    [total] = service_quality.first_responses(tickets(june), JUNE)
    assert total.answered == 3
    assert (total.business_average, total.business_median) == (2.33, 2.0)  # (60+120+240)/3 min; 120 min
    assert total.calendar_average == timedelta(hours=(1 + 65 + 4) / 3)
    assert total.calendar_median == timedelta(hours=4)


def test_first_response_per_operator_and_topic(june):
    per_operator = service_quality.first_responses(tickets(june), JUNE, "first_response_by")
    assert [(row.name, row.answered, row.business_average, row.business_median) for row in per_operator] == [
        ("Ana Asignada", 2, 2.5, 2.5), ("Olga Operadora", 1, 2.0, 2.0)]
    per_topic = service_quality.first_responses(tickets(june), JUNE, "topic")
    assert [(row.name, row.answered, row.business_average) for row in per_topic] == [
        ("Facturación", 2, 1.5), ("Reclamos", 1, 4.0)]


def test_sla_compliance_per_topic_and_priority(june):
    rows = service_quality.compliance(tickets(june), JUNE)
    assert [(row.name, row.priority, row.answered, row.answered_on_time, row.resolved, row.resolved_on_time)
            for row in rows] == [
        ("Facturación", Priority.NORMAL, 2, 100.0, 2, 50.0),
        ("Reclamos", Priority.URGENT, 1, 0.0, 0, None),
    ]


def test_the_comparison_with_another_period(june):
    quality = service_quality.build(tickets(june), JUNE, MAY)
    assert quality.summary.answered.current == 3 and quality.summary.answered.previous == 1
    assert quality.summary.business_average.previous == 0.5
    assert round(quality.summary.business_average.change) == 366  # 2.33 h against 0.5 h
    ana = next(row for row in quality.per_operator if row.name == "Ana Asignada")
    assert (ana.answered.current, ana.answered.previous) == (2, 1)


def test_the_page_and_the_downloads_show_it(client, june):
    client.force_login(june["admin"])
    page = client.get(reverse("reports:page"), QUERY).content.decode()
    assert "Primera respuesta por usuario" in page and "Cumplimiento del SLA" in page
    response = client.get(reverse("reports:export", args=["cumplimiento-sla", "csv"]), QUERY,
                          HTTP_ACCEPT_LANGUAGE="es-ar")
    text = b"".join(response.streaming_content).decode("utf-8")[1:]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Temática", "Prioridad", "Primeras respuestas con SLA"]
    assert rows[1] == ["Facturación", "Normal", "2", "100,0", "2", "50,0"]
    response = client.get(reverse("reports:export", args=["primera-respuesta", "csv"]), QUERY)
    text = b"".join(response.streaming_content).decode("utf-8")[1:]
    assert "2,33" in text
    xlsx = client.get(reverse("reports:export", args=["primera-respuesta-por-usuario", "xlsx"]), QUERY)
    assert xlsx.status_code == 200


@pytest.mark.parametrize("who", ["ana", "olga"])
def test_operators_do_not_reach_the_reports(client, june, who):
    client.force_login(june[who])
    assert client.get(reverse("reports:export", args=["primera-respuesta-por-usuario", "csv"]), QUERY).status_code \
        == 404


@pytest.mark.parametrize("walk", [True, False], ids=["walks the first-response indexes", "sorts the period"])
@pytest.mark.parametrize(("extra", "business_median", "calendar_median"), [
    (False, 2.0, timedelta(hours=4)),  # three: the middle one of each
    (True, 2.0, timedelta(hours=3)),  # a fourth without business minutes: 3 business values, 4 waits (1, 2, 4, 65 h)
])
def test_the_first_response_medians_are_the_same_whichever_way_they_are_read(
        june, monkeypatch, walk, extra, business_median, calendar_median):
    monkeypatch.setattr(metrics, "WALK_FROM_SHARE", 0 if walk else float("inf"))
    monkeypatch.setattr(metrics, "SORT_BELOW", 0)
    if extra:
        TicketFactory(topic=TopicFactory(), created_at=at("2026-06-15 09:00"), first_response_at=at("2026-06-15 11:00"),
                      first_response_by=june["ana"], first_response_minutes=None, state=State.IN_PROGRESS)
        summary.rebuild()
    with CaptureQueriesContext(connection) as captured:
        [total] = service_quality.first_responses(tickets(june), JUNE)
    assert (total.business_median, total.calendar_median) == (business_median, calendar_median)
    assert percentile_asked(captured) == (connection.vendor == "postgresql" and not walk)


def percentile_asked(captured):
    return any("PERCENTILE_CONT" in query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize("walk", [True, False], ids=["walks the per-group indexes", "sorts the period"])
@pytest.mark.parametrize(("group", "expected"), [
    # Ana: 60 and 240 business min (1 h and 4 h); Olga: 120 (65 h); nobody (a person since deleted): 30 min (2 h).
    ("first_response_by", {"Ana Asignada": (2.5, timedelta(hours=2.5)), "Olga Operadora": (2.0, timedelta(hours=65)),
                           "": (0.5, timedelta(hours=2))}),
    # Facturación: 60 and 120 (1 h, 65 h) and the deleted person's 30 (2 h); Reclamos: 240 (4 h).
    ("topic", {"Facturación": (1.0, timedelta(hours=2)), "Reclamos": (4.0, timedelta(hours=4))}),
])
def test_the_medians_of_each_group_are_the_same_whichever_way_they_are_read(june, monkeypatch, walk, group, expected):
    monkeypatch.setattr(metrics, "WALK_FROM_SHARE", 0 if walk else float("inf"))
    monkeypatch.setattr(metrics, "SORT_BELOW", 0)
    billing = service_quality.first_responses(tickets(june), JUNE, "topic")[0].key
    TicketFactory(topic_id=billing, created_at=at("2026-06-15 09:00"), first_response_at=at("2026-06-15 11:00"),
                  first_response_by=None, first_response_minutes=30, state=State.IN_PROGRESS)
    summary.rebuild()
    with CaptureQueriesContext(connection) as captured:
        rows = service_quality.first_responses(tickets(june), JUNE, group)
    assert {row.name: (row.business_median, row.calendar_median) for row in rows} == expected
    assert percentile_asked(captured) == (connection.vendor == "postgresql" and not walk)
