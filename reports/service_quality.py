"""Service quality in the reports (issue 15): first response time and SLA compliance.

A request counts in a period's first responses when its first public answer of staff (Ticket.first_response_at,
stamped by tickets.services) falls in it: business minutes (Ticket.first_response_minutes, the organisation's
hours, sla.business_hours) and calendar time from filing. SLA compliance: of the first responses given in the
period to requests with a target, the share given by their due time; of the requests closed in the period
with a target, the share closed by their resolution due time. Each figure comes with the comparison period's.
"""

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.db import connection
from django.db.models import Avg, Case, Count, DurationField, F, FloatField, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import metrics, summary
from reports.tables import DOWN, UP, Figure, figure
from tickets.models import Priority
from topics.models import Topic


def answered_in(tickets, period):
    return tickets.filter(first_response_at__gte=period.start, first_response_at__lt=period.end)


def calendar_wait():
    """Filing → first response, as a duration."""
    return metrics.Elapsed(F("first_response_at"), F("created_at"))


@dataclass(frozen=True)
class FirstResponse:
    """Of one group (or all): how many first responses, business hours (float) and calendar time (timedelta)."""

    key: object
    name: str
    answered: int
    business_average: float | None
    business_median: float | None
    calendar_average: object
    calendar_median: object


def _hours(minutes):
    return None if minutes is None else round(minutes / 60, 2)


def first_responses(tickets, period, group=None):
    """[FirstResponse] per `group` ("topic", "first_response_by" or None for one row of all)."""
    answered = answered_in(tickets, period)
    if scope := summary.scope_of(tickets):
        return _named(group, _summed_first_responses(scope, tickets, period, group))
    keys = [group] if group else []
    if connection.vendor == "postgresql":
        rows = (answered.values(*keys).annotate(
            answered=Count("*"), b_avg=Avg("first_response_minutes"),
            b_med=metrics.Median("first_response_minutes", output_field=FloatField()),
            c_avg=Avg(calendar_wait()), c_med=metrics.Median(calendar_wait(), output_field=DurationField()))
            .values_list(*keys, "answered", "b_avg", "b_med", "c_avg", "c_med")) if keys else [
            (*answered.aggregate(
                answered=Count("*"), b_avg=Avg("first_response_minutes"),
                b_med=metrics.Median("first_response_minutes", output_field=FloatField()),
                c_avg=Avg(calendar_wait()),
                c_med=metrics.Median(calendar_wait(), output_field=DurationField())).values(),)]
        figures = [(row[0] if keys else None, *row[len(keys):]) for row in rows]
    else:  # SQLite has no percentile: the medians from the values, grouped here
        grouped = {}
        for row in answered.annotate(wait=calendar_wait()).values_list(*keys, "first_response_minutes", "wait"):
            grouped.setdefault(row[0] if keys else None, []).append(row[len(keys):])
        figures = []
        for key, values in grouped.items():
            business = [value for value, _wait in values if value is not None]
            waits = [wait for _value, wait in values]
            figures.append((key, len(values), business and sum(business) / len(business),
                            business and median(business), sum(waits, waits[0] * 0) / len(waits), median(waits)))
        if not keys and not figures:
            figures = [(None, 0, None, None, None, None)]
    return _named(group, figures)


def _named(group, figures):
    names = _names(group, [row[0] for row in figures])
    result = [FirstResponse(key, names.get(key, ""), count, _hours(b_avg or None), _hours(b_med), c_avg, c_med)
              for key, count, b_avg, b_med, c_avg, c_med in figures]
    return sorted(result, key=lambda row: (-row.answered, row.name.lower()))


def _summed_first_responses(scope, tickets, period, group):
    """(key, answered, business average, business median, calendar average, calendar median) per group: the
    sums from the daily summary, the medians from the requests (`first_response_medians`)."""
    if group == "first_response_by":
        sums = {person or None: values for person, values in summary.by_person(scope, "A", period).items()}
    elif group == "topic":
        sums = summary.grouped(scope, "a", period, "topic_id")
    else:
        sums = {None: summary.totals(summary.rows(scope, "a", period.first_day, period.last_day))}
    if not any(values[0] for values in sums.values()):
        medians = {}
    elif group is None and metrics.walks(sums[None][0], "ticket_first_wait_idx"):
        medians = {None: _medians_walked(answered_in(tickets, period), *sums[None][:3:2])}
    elif group and metrics.walks(sum(values[0] for values in sums.values()), "ticket_first_wait_idx"):
        medians = _medians_walked_per_group(answered_in(tickets, period), group, sums)
    else:
        medians = _medians_of_every_group(tickets, period, group)
    figures = []
    for key, (count, total, business_count, business_total, _due, _met) in sums.items():
        business_median, calendar_median = medians.get(key, (None, None))
        figures.append((key, count, business_count and business_total / business_count, business_median,
                        summary.average(total, count), calendar_median))
    return figures


GROUPS = (None, "topic", "first_response_by")


def _medians_walked(answered, count, business_count):
    """(median business minutes, median calendar wait) of the `count` first responses of `answered`
    (`business_count` of them with business minutes), each read from the middle of its index in order
    (tickets/0022) instead of sorting a long period's values; the same answer as the percentiles."""
    business = answered.filter(first_response_minutes__isnull=False)
    return (metrics.median_in_order(business, F("first_response_minutes"), business_count, 0),
            metrics.median_in_order(answered, calendar_wait(), count, timedelta()))


def _medians_walked_per_group(answered, group, sums):
    """{key: (median business minutes, median calendar wait)} of each group of `answered` by `group` ("topic" or
    "first_response_by"), whose counts `sums` gives ({key: (answered, _, with business minutes, …)}): the middle
    one or two of every group read from its (group, value) index in order (tickets/0022), in two queries — one
    per value — instead of sorting a long period's values per group."""
    business = _middles_per_group(answered.filter(first_response_minutes__isnull=False), group,
                                  F("first_response_minutes"), {key: values[2] for key, values in sums.items()})
    calendar = _middles_per_group(answered, group, calendar_wait(), {key: values[0] for key, values in sums.items()})
    return {key: (_mean(business.get(key), 0), _mean(calendar.get(key), timedelta())) for key in sums}


def _middles_per_group(rows, group, expression, counts):
    """{key: [the middle one or two values of `expression` among its `counts[key]` rows of `rows`]}, in one
    query: a LATERAL walk per group over a VALUES list of (key, how many to skip, how many to take)."""
    walks = [(key, (count - 1) // 2, 2 - count % 2) for key, count in counts.items() if count and key is not None]
    middles = {}
    if walks:
        inner, params = (rows.filter(**{group: RawSQL("walk.key", [])}).annotate(value_in_order=expression)
                         .order_by("value_in_order").values_list("value_in_order").query.sql_with_params())
        values = ", ".join(["(%s, %s, %s)"] * len(walks))
        # Only placeholders and Django's compiled query go into the text; every value is a parameter.
        sql = f"SELECT walk.key, middle.value_in_order FROM (VALUES {values}) AS walk(key, skip, take) " \
              f"CROSS JOIN LATERAL ({inner} OFFSET walk.skip LIMIT walk.take) AS middle"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for walk in walks for value in walk] + list(params))
            for key, value in cursor.fetchall():
                middles.setdefault(key, []).append(value)
    if counts.get(None):  # requests answered by someone since deleted: rare, read on their own
        middles[None] = list(rows.filter(**{f"{group}__isnull": True}).annotate(value_in_order=expression)
                             .order_by("value_in_order").values_list("value_in_order", flat=True)
                             [(counts[None] - 1) // 2: counts[None] // 2 + 1])
    return middles


def _mean(values, zero):
    return sum(values, zero) / len(values) if values else None


def _medians_of_every_group(tickets, period, group):
    """first_response_medians(answered_in(tickets, period), group). On SQLite the values are read once per
    period for the three groupings the page shows, kept on `tickets` (the queryset of one request's report)."""
    answered = answered_in(tickets, period)
    if connection.vendor == "postgresql":
        return first_response_medians(answered, group)
    cache = tickets.__dict__.setdefault("first_response_medians", {}).setdefault(period, {})
    if group not in cache:
        rows = list(answered.annotate(wait=calendar_wait()).values_list(
            "topic", "first_response_by", "first_response_minutes", "wait"))
        for each in GROUPS:
            index = {None: None, "topic": 0, "first_response_by": 1}[each]
            grouped = {}
            for row in rows:
                grouped.setdefault(None if index is None else row[index], []).append(row[2:])
            cache[each] = {key: _medians(values) for key, values in grouped.items()}
    return cache[group]


def first_response_medians(answered, group=None):
    """{key of `group` (None for all): (median business minutes, median calendar wait)} of `answered`,
    exactly, in one query: PostgreSQL's percentile; elsewhere the values are read and their medians taken."""
    keys = [group] if group else []
    if connection.vendor == "postgresql":
        medians = {"b_med": metrics.Median("first_response_minutes", output_field=FloatField()),
                   "c_med": metrics.Median(calendar_wait(), output_field=DurationField())}
        if not keys:
            found = answered.aggregate(**medians)
            return {None: (found["b_med"], found["c_med"])}
        return {row[0]: row[1:] for row in answered.values(*keys).annotate(**medians)
                .values_list(*keys, "b_med", "c_med")}
    grouped = {}
    for row in answered.annotate(wait=calendar_wait()).values_list(*keys, "first_response_minutes", "wait"):
        grouped.setdefault(row[0] if keys else None, []).append(row[len(keys):])
    return {key: _medians(values) for key, values in grouped.items()}


def _medians(values):
    """(median business minutes or None, median calendar wait) of [(minutes or None, wait)]."""
    business = [value for value, _wait in values if value is not None]
    return median(business) if business else None, median([wait for _value, wait in values])


def _names(group, keys):
    """{key: name} of the keys of `group` (none for the row of all)."""
    kind = {"topic": "topic", "first_response_by": "person"}.get(group)
    return metrics.names_of(kind, keys) if kind else {}


@dataclass(frozen=True)
class Compliance:
    topic_id: int
    name: str
    priority: int
    answered: int
    answered_on_time: float | None  # percent
    resolved: int
    resolved_on_time: float | None  # percent


def _percent(part, whole):
    return None if not whole else round(part * 100 / whole, 1)


def compliance(tickets, period):
    """[Compliance] per topic and priority: first responses and resolutions with a target, % on time."""
    if scope := summary.scope_of(tickets):
        answered, resolved = ({key: (sums[4], sums[5]) for key, sums in
                               summary.grouped(scope, kind, period, "topic_id", "priority").items() if sums[4]}
                              for kind in ("a", "c"))
        return _compliance_rows(answered, resolved)
    on_time = lambda condition: Count(Case(When(condition, then=Value(1)), output_field=IntegerField()))  # noqa: E731
    answered = {
        (topic, priority): (count, met) for topic, priority, count, met in
        answered_in(tickets, period).filter(first_response_due_at__isnull=False).values("topic", "priority")
        .annotate(count=Count("*"), met=on_time(Q(first_response_at__lte=F("first_response_due_at"))))
        .values_list("topic", "priority", "count", "met")
    }
    resolved = {
        (topic, priority): (count, met) for topic, priority, count, met in
        metrics.closed_in(tickets, period).filter(resolution_due_at__isnull=False).values("topic", "priority")
        .annotate(count=Count("*"), met=on_time(Q(closed_at__lte=F("resolution_due_at"))))
        .values_list("topic", "priority", "count", "met")
    }
    return _compliance_rows(answered, resolved)


def _compliance_rows(answered, resolved):
    keys = answered.keys() | resolved.keys()
    names = dict(Topic.objects.filter(pk__in={topic for topic, _priority in keys}).values_list("pk", "name"))
    rows = []
    for topic, priority in keys:
        a_count, a_met = answered.get((topic, priority), (0, 0))
        r_count, r_met = resolved.get((topic, priority), (0, 0))
        rows.append(Compliance(topic, names[topic], priority, a_count, _percent(a_met, a_count), r_count,
                               _percent(r_met, r_count)))
    return sorted(rows, key=lambda row: (row.name.lower(), -row.priority))


# --- Rows with the comparison ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstResponseRow:
    name: str
    answered: Figure
    business_average: Figure
    business_median: Figure
    calendar_average: Figure
    calendar_median: Figure


def first_response_rows(current, previous=None):
    compared = previous is not None
    before = {row.key: row for row in previous or []}
    empty = lambda row: FirstResponse(row.key, row.name, 0, None, None, None, None)  # noqa: E731
    pairs = [(row, before.pop(row.key, None) or empty(row)) for row in current]
    pairs += [(empty(row), row) for row in before.values()]
    return [FirstResponseRow(
        now.name, figure(now.answered, other.answered, compared, UP),
        figure(now.business_average, other.business_average, compared, DOWN),
        figure(now.business_median, other.business_median, compared, DOWN),
        figure(now.calendar_average, other.calendar_average, compared, DOWN),
        figure(now.calendar_median, other.calendar_median, compared, DOWN),
    ) for now, other in pairs]


@dataclass(frozen=True)
class ComplianceRow:
    topic: str
    priority: str
    answered: Figure
    answered_on_time: Figure
    resolved: Figure
    resolved_on_time: Figure


def compliance_rows(current, previous=None):
    compared = previous is not None
    before = {(row.topic_id, row.priority): row for row in previous or []}
    empty = lambda row: Compliance(row.topic_id, row.name, row.priority, 0, None, 0, None)  # noqa: E731
    pairs = [(row, before.pop((row.topic_id, row.priority), None) or empty(row)) for row in current]
    pairs += [(empty(row), row) for row in before.values()]
    return [ComplianceRow(
        now.name, str(Priority(now.priority).label), figure(now.answered, other.answered, compared),
        figure(now.answered_on_time, other.answered_on_time, compared, UP),
        figure(now.resolved, other.resolved, compared),
        figure(now.resolved_on_time, other.resolved_on_time, compared, UP),
    ) for now, other in pairs]


@dataclass
class Quality:
    summary: FirstResponseRow
    per_topic: list
    per_operator: list
    compliance: list


def build(tickets, period, comparison=None):
    """Every service-quality table of the reports page, for the period and optionally a comparison."""
    def both(compute, rows):
        return rows(compute(tickets, period), compute(tickets, comparison) if comparison else None)

    return Quality(
        summary=both(first_responses, first_response_rows)[0],
        per_topic=both(lambda t, p: first_responses(t, p, "topic"), first_response_rows),
        per_operator=both(lambda t, p: first_responses(t, p, "first_response_by"), first_response_rows),
        compliance=both(compliance, compliance_rows),
    )


# --- Downloads (reports.exports.TABLES) -------------------------------------------------------------------


def _first_response_table(title, first_header, group):
    def table(tickets, period, comparison):
        from reports.exports import Table, cells, figure_headers, hours

        def compute(t, p):
            return first_responses(t, p, group)

        rows = first_response_rows(compute(tickets, period), compute(tickets, comparison) if comparison else None)
        headers = [
            str(first_header), *figure_headers(_("Primeras respuestas"), comparison),
            *figure_headers(_("Promedio"), comparison, _("horas hábiles")),
            *figure_headers(_("Mediana"), comparison, _("horas hábiles")),
            *figure_headers(_("Promedio corrido"), comparison, _("horas")),
            *figure_headers(_("Mediana corrida"), comparison, _("horas")),
        ]
        return Table(str(title), headers, [
            [row.name or _("Total"), *cells(row.answered), *cells(row.business_average),
             *cells(row.business_median), *cells(row.calendar_average, hours), *cells(row.calendar_median, hours)]
            for row in rows])
    return table


first_response_table = _first_response_table(gettext_lazy("Primera respuesta"), gettext_lazy("Período"), None)
first_response_per_topic_table = _first_response_table(gettext_lazy("Primera respuesta por temática"),
                                                       gettext_lazy("Temática"), "topic")
first_response_per_operator_table = _first_response_table(gettext_lazy("Primera respuesta por usuario"),
                                                          gettext_lazy("Usuario"), "first_response_by")


def compliance_table(tickets, period, comparison):
    from reports.exports import Table, cells, figure_headers

    rows = compliance_rows(compliance(tickets, period), compliance(tickets, comparison) if comparison else None)
    headers = [
        _("Temática"), _("Prioridad"), *figure_headers(_("Primeras respuestas con SLA"), comparison),
        *figure_headers(_("Primera respuesta a tiempo"), comparison, "%"),
        *figure_headers(_("Resueltas con SLA"), comparison),
        *figure_headers(_("Resolución a tiempo"), comparison, "%"),
    ]
    return Table(_("Cumplimiento del SLA"), headers, [
        [row.topic, row.priority, *cells(row.answered), *cells(row.answered_on_time), *cells(row.resolved),
         *cells(row.resolved_on_time)] for row in rows])


TABLES = {
    "primera-respuesta": first_response_table,
    "primera-respuesta-por-tematica": first_response_per_topic_table,
    "primera-respuesta-por-usuario": first_response_per_operator_table,
    "cumplimiento-sla": compliance_table,
}
