"""The report's tables, built from the metrics: the page shows them and the exports write them.

With a comparison period every figure carries both values; rows are matched by day position,
operator or topic, never by looping over requests.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import zip_longest

from reports import metrics

UP, DOWN = "up", "down"


@dataclass(frozen=True)
class Figure:
    """A figure of the period and, when there is one, of the comparison period."""

    current: int | timedelta | None
    previous: int | timedelta | None = None
    compared: bool = False
    better: str = ""  # UP or DOWN: which direction is good news; "" when neither

    @property
    def change(self):
        """Change from the comparison period in percent, or None when it cannot be said."""
        if not self.compared:
            return None
        current, previous = as_number(self.current), as_number(self.previous)
        if current is None or not previous:
            return None
        return (current - previous) / previous * 100

    @property
    def trend(self):
        change = self.change
        if change is None or round(change, 1) == 0:
            return ""
        return UP if change > 0 else DOWN

    @property
    def tone(self):
        """good, bad or neutral, for the colour of the change."""
        if not self.trend or not self.better:
            return "neutral"
        return "good" if self.trend == self.better else "bad"


def as_number(value):
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def figure(current, previous, compared, better=""):
    return Figure(current, previous if compared else None, compared, better)


@dataclass(frozen=True)
class DayRow:
    day: date | None
    count: int | None
    other_day: date | None = None
    other_count: int | None = None


def day_rows(current, previous=None):
    """Per-day counts side by side: the n-th day of the period beside the n-th day of the comparison."""
    if previous is None:
        return [DayRow(day, count) for day, count in current]
    pairs = zip_longest(current, previous, fillvalue=(None, None))
    return [DayRow(day, count, other_day, other_count) for (day, count), (other_day, other_count) in pairs]


@dataclass(frozen=True)
class OperatorRow:
    name: str
    resolved: Figure
    average: Figure


def _matched(current, previous, key, empty):
    """Pairs (row of the period, row of the comparison) by `key`, rows of either period included."""
    before = {getattr(row, key): row for row in previous or []}
    pairs = [(row, before.pop(getattr(row, key), None) or empty(row.name)) for row in current]
    return pairs + [(empty(row.name), row) for row in before.values()]


def operator_rows(current, previous=None):
    """Resolved per operator in both periods; an operator who closed nothing in one of them shows 0."""
    compared = previous is not None
    empty = lambda name: metrics.OperatorFigures(None, name, 0, None)  # noqa: E731
    return [
        OperatorRow(
            now.name,
            figure(now.resolved, other.resolved, compared, UP),
            figure(now.average, other.average, compared, DOWN),
        )
        for now, other in _matched(current, previous, "operator_id", empty)
    ]


@dataclass(frozen=True)
class BreakdownRow:
    """One row of a breakdown (per topic, per priority): four figures."""

    name: str
    received: Figure
    resolved: Figure
    average: Figure
    open_at_end: Figure


def _breakdown_row(now, other, compared):
    return BreakdownRow(
        now.name,
        figure(now.received, other.received, compared),
        figure(now.resolved, other.resolved, compared, UP),
        figure(now.average, other.average, compared, DOWN),
        figure(now.open_at_end, other.open_at_end, compared, DOWN),
    )


def topic_rows(current, previous=None):
    """The per-topic breakdown in both periods, topics of either period included."""
    compared = previous is not None
    empty = lambda name: metrics.TopicFigures(None, name, 0, 0, None, 0)  # noqa: E731
    return [_breakdown_row(now, other, compared) for now, other in _matched(current, previous, "topic_id", empty)]


def priority_rows(current, previous=None):
    """The per-priority breakdown (metrics.per_priority lists every priority in the same order in both)."""
    pairs = zip(current, previous or current, strict=True)
    return [_breakdown_row(now, other, previous is not None) for now, other in pairs]


@dataclass(frozen=True)
class Summary:
    received: Figure
    resolved: Figure
    average: Figure
    median: Figure
    open_at_end: Figure


def summary(received, resolution, open_at_end, previous=None):
    """The headline figures from the period's totals; `previous` holds the comparison's three, or None."""
    compared = previous is not None
    p_received, p_resolution, p_open = previous or (0, metrics.Resolution(0, None, None), 0)
    return Summary(
        received=figure(received, p_received, compared),
        resolved=figure(resolution.resolved, p_resolution.resolved, compared, UP),
        average=figure(resolution.average, p_resolution.average, compared, DOWN),
        median=figure(resolution.median, p_resolution.median, compared, DOWN),
        open_at_end=figure(open_at_end, p_open, compared, DOWN),
    )


def _summary_figures(tickets, period):
    return (
        metrics.received(tickets, period), metrics.resolution(tickets, period), metrics.open_at_end(tickets, period)
    )


def build_summary(tickets, period, comparison=None):
    """Only the headline figures (for their download)."""
    previous = _summary_figures(tickets, comparison) if comparison else None
    return summary(*_summary_figures(tickets, period), previous)


@dataclass
class Report:
    period: metrics.Period
    comparison: metrics.Period | None
    summary: Summary
    received: list = field(default_factory=list)
    closed: list = field(default_factory=list)
    operators: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    priorities: list = field(default_factory=list)


def total(series):
    return sum(count for _, count in series)


def _period_figures(tickets, period):
    return (
        metrics.received_per_day(tickets, period),
        metrics.closed_per_day(tickets, period),
        metrics.resolution(tickets, period),
        metrics.open_at_end(tickets, period),
        metrics.resolved_per_operator(tickets, period),
        metrics.per_topic(tickets, period),
        metrics.per_priority(tickets, period),
    )


def build_report(tickets, period, comparison=None):
    """Every figure of the page for the period and, optionally, a comparison period."""
    received, closed, resolution, still_open, operators, topics, priorities = _period_figures(tickets, period)
    if comparison is None:
        return Report(
            period, None, summary(total(received), resolution, still_open),
            day_rows(received), day_rows(closed), operator_rows(operators), topic_rows(topics),
            priority_rows(priorities),
        )
    p_received, p_closed, p_resolution, p_open, p_operators, p_topics, p_priorities = _period_figures(
        tickets, comparison)
    return Report(
        period, comparison,
        summary(total(received), resolution, still_open, (total(p_received), p_resolution, p_open)),
        day_rows(received, p_received), day_rows(closed, p_closed),
        operator_rows(operators, p_operators), topic_rows(topics, p_topics),
        priority_rows(priorities, p_priorities),
    )
