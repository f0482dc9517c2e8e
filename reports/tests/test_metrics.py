"""Every figure of the hand-built week (reports/tests/dataset.py), with the answers worked out by hand."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import metrics, summary, tables
from reports.tests.dataset import BA, COMPARISON, PERIOD, build_week
from tickets.models import Priority, State, Ticket
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def week():
    return build_week()


@pytest.fixture
def everything(week):
    return metrics.requests_for(week.admin)


def counts(series):
    return [(day.strftime("%d/%m"), count) for day, count in series]


def test_received_per_day_counts_local_days(everything):
    # T2 (02/03 23:30) and T6 (07/03 23:59) are on the next day in UTC; T5 and T8 (28/02 late) are not in March.
    assert counts(metrics.received_per_day(everything, PERIOD)) == [
        ("01/03", 0), ("02/03", 2), ("03/03", 0), ("04/03", 1), ("05/03", 1), ("06/03", 0), ("07/03", 1),
    ]


def test_received_per_day_in_the_comparison_week(everything):
    assert counts(metrics.received_per_day(everything, COMPARISON)) == [
        ("22/02", 0), ("23/02", 1), ("24/02", 0), ("25/02", 1), ("26/02", 0), ("27/02", 0), ("28/02", 2),
    ]


def test_closed_per_day_counts_a_reopened_request_once_on_its_last_close(everything):
    # T3 was closed on 04/03, reopened and closed again on 06/03: it counts on 06/03 only.
    # T2 closed 03/03 23:45 local (04/03 in UTC) counts on 03/03.
    assert counts(metrics.closed_per_day(everything, PERIOD)) == [
        ("01/03", 1), ("02/03", 2), ("03/03", 1), ("04/03", 0), ("05/03", 0), ("06/03", 1), ("07/03", 0),
    ]


def test_a_reopened_request_still_open_is_not_resolved(everything):
    # T7 was closed on 26/02 and reopened on 03/03: only T9 counts in the comparison week.
    assert counts(metrics.closed_per_day(everything, COMPARISON)) == [
        ("22/02", 0), ("23/02", 0), ("24/02", 1), ("25/02", 0), ("26/02", 0), ("27/02", 0), ("28/02", 0),
    ]


def test_resolution_average_and_median(everything):
    # Resolved: T5 12 h, T1 4 h, T8 36 h, T2 24 h 15 min, T3 48 h (created → last close).
    result = metrics.resolution(everything, PERIOD)
    assert result.resolved == 5
    assert result.average == (4 * H + 12 * H + 24 * H + 15 * M + 36 * H + 48 * H) / 5  # 24 h 51 min
    assert result.average == 24 * H + 51 * M
    assert result.median == 24 * H + 15 * M


def test_median_of_an_even_number_is_the_mean_of_the_two_middle_ones(everything, week):
    only_martin = metrics.requests_for(week.admin, operator=week.martin)
    # Assigned to Martín and closed in March: T5 12 h, T1 4 h, T8 36 h, T2 24 h 15 min.
    result = metrics.resolution(only_martin, PERIOD)
    assert result.resolved == 4
    assert result.median == (12 * H + 24 * H + 15 * M) / 2


def test_resolution_of_an_empty_period(everything):
    empty = metrics.Period(date(2025, 1, 1), date(2025, 1, 31))
    assert metrics.resolution(everything, empty) == metrics.Resolution(0, None, None)


def test_open_at_end_of_period(everything):
    # At 08/03 00:00: T4 (in progress), T6 (new), T7 (reopened) are open.
    assert metrics.open_at_end(everything, PERIOD) == 3
    # At 01/03 00:00: T5 and T8 were not closed yet, T7 is open now (its close was undone).
    assert metrics.open_at_end(everything, COMPARISON) == 3


def test_resolved_per_operator_is_by_who_closed(everything):
    rows = metrics.resolved_per_operator(everything, PERIOD)
    assert [(row.name, row.resolved, row.average) for row in rows] == [
        ("Martín Gómez", 3, (12 * H + 4 * H + 24 * H + 15 * M) / 3),
        ("Laura Fernández", 1, 36 * H),
        ("Sofía Romero", 1, 48 * H),
    ]


def test_per_topic(everything):
    rows = metrics.per_topic(everything, PERIOD)
    assert [(row.name, row.received, row.resolved, row.average, row.open_at_end) for row in rows] == [
        ("Soporte técnico", 3, 4, (12 * H + 4 * H + 36 * H + 24 * H + 15 * M) / 4, 1),
        ("Facturación", 2, 1, 48 * H, 2),
    ]


def test_per_topic_in_the_comparison_week(everything):
    rows = metrics.per_topic(everything, COMPARISON)
    assert [(row.name, row.received, row.resolved, row.average, row.open_at_end) for row in rows] == [
        ("Soporte técnico", 3, 1, 24 * H, 2),
        ("Facturación", 1, 0, None, 1),
    ]


def test_per_priority_lists_every_priority_urgent_first(everything, week):
    Ticket.objects.filter(pk__in=[week.tickets["T3"].pk, week.tickets["T4"].pk]).update(priority=Priority.URGENT)
    summary.rebuild()  # written around the services
    rows = metrics.per_priority(everything, PERIOD)
    assert [(row.name, row.received, row.resolved, row.average, row.open_at_end) for row in rows] == [
        ("Urgente", 2, 1, 48 * H, 1),
        ("Alta", 0, 0, None, 0),
        ("Normal", 3, 4, (12 * H + 4 * H + 36 * H + 24 * H + 15 * M) / 4, 2),
        ("Baja", 0, 0, None, 0),
    ]


def test_per_priority_compared_with_the_previous_week(everything, week):
    Ticket.objects.filter(pk=week.tickets["T7"].pk).update(priority=Priority.URGENT)
    summary.rebuild()  # written around the services
    rows = tables.priority_rows(metrics.per_priority(everything, PERIOD), metrics.per_priority(everything, COMPARISON))
    urgent = rows[0]
    assert urgent.name == "Urgente" and urgent.open_at_end.current == 1 and urgent.open_at_end.previous == 1
    assert (urgent.received.current, urgent.received.previous) == (0, 1)
    assert rows[2].received.compared and rows[2].received.previous == 3


def test_filters_by_topic_and_operator(week):
    facturacion = metrics.requests_for(week.admin, topic=week.facturacion)
    assert sum(count for _, count in metrics.received_per_day(facturacion, PERIOD)) == 2
    assert metrics.resolution(facturacion, PERIOD).resolved == 1
    # Operator means assignee: T8, assigned to Martín, counts for him although Laura closed it.
    martin = metrics.requests_for(week.admin, operator=week.martin)
    assert [(row.name, row.resolved) for row in metrics.resolved_per_operator(martin, PERIOD)] == [
        ("Martín Gómez", 3), ("Laura Fernández", 1),
    ]


def test_reports_start_from_the_visibility_rule(week):
    # Only administrators reach the page, but the figures never count what the user may not see.
    assert metrics.requests_for(week.sofia).count() == 3  # her topic only
    client = week.tickets["T1"].requester
    assert metrics.requests_for(client).count() == 10  # the requests she filed


def test_comparison_side_by_side(everything):
    report = tables.build_report(everything, PERIOD, COMPARISON)
    summary = report.summary
    assert (summary.received.current, summary.received.previous, summary.received.change) == (5, 4, 25.0)
    assert (summary.resolved.current, summary.resolved.previous, summary.resolved.change) == (5, 1, 400.0)
    assert summary.average.previous == 24 * H
    assert summary.average.change == pytest.approx((24.85 - 24) / 24 * 100)  # +3.5 %
    assert summary.median.change == pytest.approx(0.25 / 24 * 100)  # 24 h 15 min vs 24 h
    assert (summary.open_at_end.current, summary.open_at_end.previous, summary.open_at_end.change) == (3, 3, 0.0)
    assert summary.resolved.tone == "good" and summary.average.tone == "bad"

    assert [(row.name, row.resolved.current, row.resolved.previous) for row in report.operators] == [
        ("Martín Gómez", 3, 1), ("Laura Fernández", 1, 0), ("Sofía Romero", 1, 0),
    ]
    assert report.operators[0].resolved.change == 200.0
    assert report.operators[1].resolved.change is None  # nothing to compare with
    assert [(row.day.day, row.count, row.other_day.day, row.other_count) for row in report.received] == [
        (1, 0, 22, 0), (2, 2, 23, 1), (3, 0, 24, 0), (4, 1, 25, 1), (5, 1, 26, 0), (6, 0, 27, 0), (7, 1, 28, 2),
    ]


def test_periods_of_different_length_are_matched_day_by_day(everything):
    report = tables.build_report(everything, PERIOD, metrics.Period(date(2026, 2, 27), date(2026, 2, 28)))
    assert [(row.count, row.other_count) for row in report.received] == [
        (0, 0), (2, 2), (0, None), (1, None), (1, None), (0, None), (1, None),
    ]


def test_previous_period_has_the_same_length():
    assert PERIOD.previous() == COMPARISON


def test_days_are_local_across_a_daylight_saving_change(week):
    # Buenos Aires had summer time (UTC−2) from 19/10/2008 to 15/03/2009: 31/12/2008 23:30 local is 01:30 UTC.
    summer = metrics.Period(date(2008, 12, 1), date(2009, 1, 31))
    across = metrics.Period(date(2008, 10, 1), date(2009, 3, 31))
    assert summer.fixed_utc_offset() == -2 * H
    assert across.fixed_utc_offset() is None
    assert PERIOD.fixed_utc_offset() == -3 * H
    late = datetime(2008, 12, 31, 23, 30, tzinfo=BA)
    TicketFactory(topic=week.soporte, created_at=late, state=State.CLOSED, closed_at=late + 2 * H,
                  closed_by=week.martin)
    summary.rebuild()  # written around the services
    everything = metrics.requests_for(week.admin)
    for period in (summer, across):
        series = dict(metrics.received_per_day(everything, period))
        assert series[date(2008, 12, 31)] == 1 and series[date(2009, 1, 1)] == 0
        assert dict(metrics.closed_per_day(everything, period))[date(2009, 1, 1)] == 1  # 01:30 local
        assert metrics.resolution(everything, period).average == 2 * H


@pytest.mark.parametrize("walk", [True, False], ids=["walks the resolution-time index", "sorts the period"])
@pytest.mark.parametrize(("operator", "median"), [
    (None, 24 * H + 15 * M),  # odd: the middle one
    ("martin", (12 * H + 24 * H + 15 * M) / 2),  # even: the mean of the two middle ones
])
def test_the_median_is_the_same_whichever_way_it_is_read(week, monkeypatch, walk, operator, median):
    # A long period walks the requests in the order of their resolution time; a short one sorts its durations.
    monkeypatch.setattr(metrics, "WALK_FROM_SHARE", 0 if walk else float("inf"))
    monkeypatch.setattr(metrics, "SORT_BELOW", 0)
    tickets = metrics.requests_for(week.admin, operator=getattr(week, operator) if operator else None)
    closed = metrics.closed_in(tickets, PERIOD)
    count = closed.count()
    with CaptureQueriesContext(connection) as captured:
        assert metrics.resolution_median(closed, count) == median
    assert percentile_asked(captured) == (connection.vendor == "postgresql" and not walk)


def percentile_asked(captured):
    return any("PERCENTILE_CONT" in query["sql"] for query in captured.captured_queries)
