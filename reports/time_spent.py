"""Time spent in the reports (issue 15, item 5): the minutes staff recorded with their messages.

A minute counts in the period its message was written in (tickets.models.TimeEntry.at), under the person who
wrote it, the topic the request had then and the request's company. Figures: time spent, how many messages
recorded it and the average per message; each with the comparison period's. An administrator's report of
every request reads the time summary (reports.summary.time_by: month rows and the days around them; a year at
1M requests is ~800k records, a parallel hash aggregate of ~300 ms, against ~12 month rows per company). A
report narrowed to a topic or an assignee groups its records (TimeEntry) with sums and counts only, in one
pass (GROUPING SETS on PostgreSQL, an index-only scan of time_entry_report_idx for short periods, migration
0019): the summary keeps the topic a record was made in, the report narrows by the request's topic now. How
many distinct requests the time went to is left out on purpose: COUNT(DISTINCT) sorts every record.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import metrics, summary
from reports.tables import Figure, figure
from tickets.models import TimeEntry


class WorkedMinutes(int):
    """Minutes of work: the page writes them as hours and minutes (1 h 35 min), never as days
    (reports.templatetags.report_format.figure_value)."""


def entries_for(tickets):
    """The time records of the requests a report counts (reports.metrics.requests_for). With nothing narrowing
    them (an administrator, no topic or operator) every record, without a semi-join over every request."""
    entries = TimeEntry.objects.order_by()
    if tickets.query.has_filters():
        entries = entries.filter(ticket__in=tickets.values("pk"))
    return entries


def recorded_in(tickets, period):
    return entries_for(tickets).filter(at__gte=period.start, at__lt=period.end)


@dataclass(frozen=True)
class TimeFigures:
    """Of one group (or all): minutes recorded and how many messages recorded them."""

    key: object
    name: str
    minutes: int
    entries: int

    @property
    def average(self):
        """Minutes per message that recorded time, rounded to the minute; None without any."""
        return round(self.minutes / self.entries) if self.entries else None


GROUPS = {"user": "author", "topic": "topic", "company": "company"}
SUMMARY_GROUPINGS = {"user": "u", "topic": "t", "company": "e"}  # reports.summary.TIME_GROUPINGS


def summed(tickets):
    """Whether the time summary stands for the records of `tickets`: an administrator's report of every
    request (reports.metrics.requests_for, no topic, no assignee)."""
    scope = summary.scope_of(tickets)
    return scope is not None and scope.topic_id is None


def time_spent(tickets, period, group=None):
    """[TimeFigures] per `group` ("user", "topic", "company"), most time first; one row of all for None."""
    if summed(tickets):
        return _from_summary(period, [group])[group]
    recorded = recorded_in(tickets, period)
    figures = {"minutes": Sum("minutes"), "entries": Count("*")}
    if group is None:
        total = recorded.aggregate(**figures)
        return [TimeFigures(None, "", total["minutes"] or 0, total["entries"])]
    field = GROUPS[group]
    rows = list(recorded.values(field).annotate(**figures).values_list(field, "minutes", "entries"))
    names = _names(group, [row[0] for row in rows])
    result = [TimeFigures(key, names.get(key, ""), minutes, entries) for key, minutes, entries in rows]
    return sorted(result, key=lambda row: (-row.minutes, row.name.lower()))


def time_spent_of_every_group(tickets, period):
    """{None: [all], "user": […], "topic": […], "company": […]}, each as time_spent(tickets, period, group)
    gives it. On PostgreSQL one pass over the period's records (GROUPING SETS) instead of four; elsewhere four
    queries."""
    if summed(tickets):
        return _from_summary(period, [None, *GROUPS])
    if connection.vendor != "postgresql":
        return {group: time_spent(tickets, period, group) for group in (None, *GROUPS)}
    fields = list(GROUPS.values())
    sums = metrics.sums_of_every_grouping(recorded_in(tickets, period).values_list(*fields, "minutes"), fields,
                                          "SUM(minutes), COUNT(*)")
    found = {group: sums[field] for group, field in GROUPS.items()}
    minutes, entries = sums[None][0]
    result = {None: [TimeFigures(None, "", minutes or 0, entries)]}
    for group in GROUPS:
        names = _names(group, [key for key, _minutes, _entries in found[group]])
        rows = [TimeFigures(key, names.get(key, ""), minutes, entries) for key, minutes, entries in found[group]]
        result[group] = sorted(rows, key=lambda row: (-row.minutes, row.name.lower()))
    return result


def _from_summary(period, groups):
    """{group: [TimeFigures]} for each of `groups` (None: one row of all), as time_spent gives them, from the
    time summary in one query; all records' figures add up the per-topic rows (every record has a topic)."""
    letters = sorted({SUMMARY_GROUPINGS[group or "topic"] for group in groups})
    found = summary.time_by(period, letters)
    result = {}
    for group in groups:
        if group is None:
            rows = found["t"].values()
            result[None] = [TimeFigures(None, "", sum(row[0] for row in rows), sum(row[1] for row in rows))]
            continue
        sums = found[SUMMARY_GROUPINGS[group]]
        names = _names(group, list(sums))
        figures = [TimeFigures(key, names.get(key, ""), minutes, entries) for key, (minutes, entries) in sums.items()]
        result[group] = sorted(figures, key=lambda row: (-row.minutes, row.name.lower()))
    return result


def _names(group, keys):
    """{key: name} of the keys of `group` (none for the row of all)."""
    kind = {"topic": "topic", "company": "company", "user": "person"}.get(group)
    return metrics.names_of(kind, keys) if kind else {}


# --- Rows with the comparison ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeRow:
    name: str
    minutes: Figure  # WorkedMinutes
    entries: Figure
    average: Figure  # WorkedMinutes per message


def _worked(minutes):
    return None if minutes is None else WorkedMinutes(minutes)


def time_rows(current, previous=None):
    """Rows of both periods matched by user, topic or company; one missing from a period shows 0 there.
    More or less time is neither good nor bad news: the changes are not coloured."""
    return _rows_of(_pairs(current, previous), previous is not None)


def _pairs(current, previous):
    """[(this period's TimeFigures, the comparison's)] matched by key, in time_rows' order."""
    before = {row.key: row for row in previous or []}
    empty = lambda row: TimeFigures(row.key, row.name, 0, 0)  # noqa: E731
    pairs = [(row, before.pop(row.key, None) or empty(row)) for row in current]
    return pairs + [(empty(row), row) for row in before.values()]


def _rows_of(pairs, compared):
    return [TimeRow(
        now.name, figure(_worked(now.minutes), _worked(other.minutes), compared),
        figure(now.entries, other.entries, compared),
        figure(_worked(now.average), _worked(other.average), compared),
    ) for now, other in pairs]


# A year at a thousand client companies is a table of thousands of rows: the page shows those with the most time
# and says how many there are; the downloads carry every one.
COMPANIES_SHOWN = 25


@dataclass
class TimeSpent:
    summary: TimeRow
    per_user: list
    per_topic: list
    per_company: list  # the COMPANIES_SHOWN with the most time
    companies: int  # how many recorded time in either period


def build(tickets, period, comparison=None):
    """Every time-spent table of the reports page, for the period and optionally a comparison."""
    current = time_spent_of_every_group(tickets, period)
    previous = time_spent_of_every_group(tickets, comparison) if comparison else {}

    def both(group):
        return time_rows(current[group], previous.get(group) if comparison else None)

    companies = _pairs(current["company"], previous.get("company") if comparison else None)
    return TimeSpent(summary=both(None)[0], per_user=both("user"), per_topic=both("topic"),
                     per_company=_rows_of(companies[:COMPANIES_SHOWN], comparison is not None),
                     companies=len(companies))


# --- Downloads (reports.exports.TABLES) -------------------------------------------------------------------


def _hours(minutes):
    """Minutes as hours with two decimals, the unit a spreadsheet sums (like the other reports' times)."""
    return None if minutes is None else round(minutes / 60, 2)


def _time_table(title, first_header, group):
    def table(tickets, period, comparison):
        from reports.exports import Table, cells, figure_headers

        rows = time_rows(time_spent(tickets, period, group),
                         time_spent(tickets, comparison, group) if comparison else None)
        headers = [
            str(first_header), *figure_headers(_("Tiempo dedicado"), comparison, _("horas")),
            *figure_headers(_("Registros"), comparison),
            *figure_headers(_("Promedio por registro"), comparison, _("horas")),
        ]
        return Table(str(title), headers, [
            [row.name or (_("Sin empresa") if group == "company" else _("Total")), *cells(row.minutes, _hours),
             *cells(row.entries), *cells(row.average, _hours)]
            for row in rows])
    return table


TABLES = {
    "tiempo-dedicado": _time_table(gettext_lazy("Tiempo dedicado"), gettext_lazy("Período"), None),
    "tiempo-por-usuario": _time_table(gettext_lazy("Tiempo dedicado por usuario"), gettext_lazy("Usuario"),
                                      "user"),
    "tiempo-por-tematica": _time_table(gettext_lazy("Tiempo dedicado por temática"), gettext_lazy("Temática"),
                                       "topic"),
    "tiempo-por-empresa": _time_table(gettext_lazy("Tiempo dedicado por empresa"), gettext_lazy("Empresa"),
                                      "company"),
}
