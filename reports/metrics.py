"""Report figures, each computed by the database in one or two aggregate queries.

Where `tickets` carries a `summary_scope` (`requests_for` sets it for an administrator's report of every
assignee) the sums come from the daily summary (reports.summary) and only medians read the requests; any
further filter on `tickets` drops it, and the figures are counted from the requests.

Every function takes `tickets`, the requests to count (already narrowed by `requests_for`), and a
`Period` of local days. A request counts as received on the local day of its `created_at` and as
resolved (closed) on the local day of its `closed_at`. A reopened request has its `closed_at` cleared
until it is closed again, so it counts once, on the day of its last close, and as open meanwhile.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, F, Func, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate

from accounts.models import Company, User
from reports import summary
from tickets.models import Priority, Ticket
from topics.models import Topic

LOCAL_TZ = ZoneInfo("America/Argentina/Buenos_Aires")


@dataclass(frozen=True)
class Period:
    """An inclusive range of local days (Buenos Aires)."""

    first_day: date
    last_day: date

    @property
    def start(self):
        return datetime.combine(self.first_day, time.min, tzinfo=LOCAL_TZ)

    @property
    def end(self):
        """The first instant after the period (exclusive bound)."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)

    @property
    def length(self):
        return (self.last_day - self.first_day).days + 1

    def days(self):
        return [self.first_day + timedelta(days=offset) for offset in range(self.length)]

    def fixed_utc_offset(self):
        """The local UTC offset if it is the same on every day of the period (no daylight saving change), else None."""
        days = [*self.days(), self.last_day + timedelta(days=1)]
        offsets = {datetime.combine(day, time.min, tzinfo=LOCAL_TZ).utcoffset() for day in days}
        return offsets.pop() if len(offsets) == 1 else None

    def previous(self):
        """The period of the same length that ends the day before this one starts."""
        last = self.first_day - timedelta(days=1)
        return Period(last - timedelta(days=self.length - 1), last)


class DayCount(NamedTuple):
    day: date
    count: int


class Resolution(NamedTuple):
    resolved: int
    average: timedelta | None
    median: timedelta | None


class OperatorFigures(NamedTuple):
    operator_id: int | None
    name: str
    resolved: int
    average: timedelta | None


class TopicFigures(NamedTuple):
    topic_id: int
    name: str
    received: int
    resolved: int
    average: timedelta | None
    open_at_end: int


class PriorityFigures(NamedTuple):
    priority: int
    name: str
    received: int
    resolved: int
    average: timedelta | None
    open_at_end: int


class Median(Aggregate):
    """PostgreSQL's exact median (continuous percentile) of an expression."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


class Elapsed(Func):
    """`end − start` as a duration.

    On SQLite, Django computes a difference of timestamps with a Python function called for every row;
    julianday() does it in SQL (to the millisecond), several times faster over a year of requests.
    """

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = DurationField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, arg_joiner=") - julianday(",
            template="(CAST(ROUND((julianday(%(expressions)s)) * 86400000.0) AS INTEGER) * 1000)", **extra,
        )


class LocalDay(TruncDate):
    """The local day of a timestamp (TruncDate in Buenos Aires time).

    On SQLite, TruncDate calls a Python function for every row; when the period keeps one UTC offset
    (Argentina has had no daylight saving time since 2009) SQLite's date() with that offset gives the
    same day in SQL. Periods with an offset change use TruncDate.
    """

    def __init__(self, field, period):
        super().__init__(field, tzinfo=LOCAL_TZ)
        self.fixed_offset = period.fixed_utc_offset()

    def as_sqlite(self, compiler, connection, **extra):
        if self.fixed_offset is None:
            return self.as_sql(compiler, connection, **extra)
        sql, params = compiler.compile(self.lhs)
        minutes = int(self.fixed_offset.total_seconds()) // 60
        return f"date({sql}, %s)", (*params, f"{minutes:+d} minutes")


def resolution_time():
    """Created → closed, as a duration the database can average and sort."""
    return Elapsed(F("closed_at"), F("created_at"))


def requests_for(user, *, topic=None, operator=None):
    """The requests a report counts: what `user` may see, narrowed to a topic and an assignee.

    For an administrator's report of every assignee the queryset carries `summary_scope`
    (reports.summary.Scope): the report's sums can come from the daily summary (reports.tables)."""
    tickets = Ticket.objects.visible_to(user)
    if topic is not None:
        tickets = tickets.filter(topic=topic)
    if operator is not None:
        tickets = tickets.filter(assignee=operator)
    tickets = tickets.order_by()
    if operator is None and getattr(user, "is_administrator", False) and user.is_active:
        tickets.summary_scope = summary.Scope(topic.pk if topic is not None else None)
    return tickets


def received_in(tickets, period):
    return tickets.filter(created_at__gte=period.start, created_at__lt=period.end)


def closed_in(tickets, period):
    return tickets.filter(closed_at__gte=period.start, closed_at__lt=period.end)


def received(tickets, period):
    """How many requests were received in the period."""
    if scope := summary.scope_of(tickets):
        return sum(count for _day, count in summary.received_per_day(scope, period))
    return received_in(tickets, period).count()


def _per_day(tickets, field, period):
    counts = dict(
        tickets.annotate(day=LocalDay(field, period))
        .values("day")
        .annotate(count=Count("*"))
        .values_list("day", "count")
    )
    return [DayCount(day, counts.get(day, 0)) for day in period.days()]


def received_per_day(tickets, period):
    """Requests received on each local day of the period, days without any included."""
    if scope := summary.scope_of(tickets):
        return summary.received_per_day(scope, period)
    return _per_day(received_in(tickets, period), "created_at", period)


def closed_per_day(tickets, period):
    """Requests closed on each local day of the period, days without any included."""
    if scope := summary.scope_of(tickets):
        return summary.closed_per_day(scope, period)
    return _per_day(closed_in(tickets, period), "closed_at", period)


def resolution(tickets, period):
    """How many requests were resolved in the period, and their average and median resolution time."""
    if scope := summary.scope_of(tickets):
        return summary.resolution(scope, tickets, period)
    closed = closed_in(tickets, period)
    figures = closed.aggregate(resolved=Count("*"), average=Avg(resolution_time()))
    return Resolution(figures["resolved"], figures["average"], resolution_median(closed, figures["resolved"]))


# A period holding at least this share of a table's values reads its median by walking an index in the order
# of the values (tickets/0021, 0022): about half of that index, whatever the period, against a sort of all the
# period's values, which costs more once the period is about a third of the table.
WALK_FROM_SHARE = 0.3
SORT_BELOW = 50_000  # values: always sorted, without asking for the estimate


def resolution_median(closed, count):
    """The median resolution time (a timedelta) of `closed`, requests closed in a period, `count` of them, or
    None without any. Exact, as PostgreSQL's continuous percentile: the middle one, or the mean of the middle
    two. PostgreSQL sorts a short period's durations and walks the resolution-time index for a long one;
    other databases read the middle of the durations in order."""
    if not count:
        return None
    if connection.vendor == "postgresql" and not walks(count, "ticket_resolution_time_idx"):
        return closed.aggregate(median=Median(resolution_time(), output_field=DurationField()))["median"]
    return median_in_order(closed, resolution_time(), count, timedelta())


def walks(count, index):
    """Whether `count` values are better read by walking `index` (PostgreSQL) in order than sorted: True when
    they are at least WALK_FROM_SHARE of the index's rows (its estimate, kept by ANALYZE and autovacuum, read
    without counting)."""
    if connection.vendor != "postgresql" or count < SORT_BELOW:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [index])
        row = cursor.fetchone()
    return bool(row) and count >= WALK_FROM_SHARE * max(row[0], 0)  # -1: never analysed


def sums_of_every_grouping(rows, groups, aggregates):
    """One pass over `rows` (a values_list queryset whose first fields are `groups`, in order) summed by
    `aggregates` (SQL over its field names, e.g. "SUM(minutes), COUNT(*)") for all of them and for each group
    alone: GROUPING SETS, PostgreSQL only. Returns {None: [(aggregates…)], group: [(key, aggregates…), …]};
    the total always has its one row."""
    columns = ", ".join(rows._fields)
    inner, params = rows.query.sql_with_params()
    keys = ", ".join(groups)
    # Only Django's compiled query and field names go into the text; every value is a parameter.
    sql = (f"SELECT GROUPING({keys}), {keys}, {aggregates} FROM ({inner}) AS grouped ({columns}) "  # noqa: S608
           f"GROUP BY GROUPING SETS ((), {', '.join(f'({group})' for group in groups)})")
    # GROUPING() sets a bit for each group left out, the first group's highest: all of them set is the total.
    left_out = {(1 << len(groups)) - 1 - (1 << (len(groups) - 1 - index)): group for index, group in
                enumerate(groups)}
    found = {None: [], **{group: [] for group in groups}}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for grouping, *row in cursor.fetchall():
            keys_of_row, figures = row[:len(groups)], row[len(groups):]
            group = left_out.get(grouping)
            found[group].append(tuple(figures) if group is None else (keys_of_row[groups.index(group)], *figures))
    return found


def median_in_order(rows, expression, count, zero):
    """The exact median of `expression` over `rows` (`count` of them, none NULL): the middle one or the mean of
    the middle two, read in order (sort, skip to the middle, read one or two), summed from `zero` (0 or
    timedelta()); None without any."""
    if not count:
        return None
    middle = list(rows.annotate(value_in_order=expression).order_by("value_in_order")
                  .values_list("value_in_order", flat=True)[(count - 1) // 2: count // 2 + 1])
    return sum(middle, zero) / len(middle)


def open_at_end_filter(period):
    """Received before the period ended and not closed by then."""
    return Q(created_at__lt=period.end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=period.end))


def open_at_end(tickets, period):
    """Requests still open when the period ended (the backlog)."""
    if scope := summary.scope_of(tickets):
        return summary.open_at_end_total(scope, period)
    return tickets.filter(open_at_end_filter(period)).count()


def resolved_per_operator(tickets, period):
    """Requests resolved in the period by each person who closed them, with their average resolution time."""
    if scope := summary.scope_of(tickets):
        return summary.resolved_per_operator(scope, period)
    rows = list(
        closed_in(tickets, period).values("closed_by")
        .annotate(resolved=Count("*"), average=Avg(resolution_time()))
        .values_list("closed_by", "resolved", "average")
    )
    names = operator_names([row[0] for row in rows if row[0]])
    figures = [OperatorFigures(pk, names.get(pk, ""), resolved, average) for pk, resolved, average in rows]
    return sorted(figures, key=lambda row: (-row.resolved, row.name.lower(), row.operator_id or 0))


def operator_names(pks):
    """{user pk: display name} of the people `pks`, in one query."""
    return names_of("person", pks)


NAMED = {  # what a report row's key names: the model and how its name is written
    "topic": (Topic, ("name",), lambda name: name),
    "person": (User, ("full_name", "email"), lambda full_name, email: full_name or email),  # User.display_name
    "company": (Company, ("name", "cuit"), lambda name, cuit: f"{name} ({cuit})"),
}


def names_of(kind, keys):
    """{pk: name} of the topics, people or companies (`kind`, a key of NAMED) whose pks are `keys` (None left
    out), in one query. On PostgreSQL the pks go as one array parameter: a year's report names thousands of
    companies, and one placeholder per pk costs psycopg's client-side binding milliseconds."""
    model, columns, name = NAMED[kind]
    keys = [key for key in keys if key is not None]
    if not keys:
        return {}
    found = model.objects.order_by()
    if connection.vendor == "postgresql":
        found = found.filter(pk__in=RawSQL("SELECT unnest(%s::integer[])", [keys]))
    else:
        found = found.filter(pk__in=keys)
    return {pk: name(*values) for pk, *values in found.values_list("pk", *columns)}


def _grouped(tickets, period, field):
    """{value of `field`: (received, resolved, average resolution time, open at the end)} for the values that
    had any of them, in three grouped queries."""
    received = dict(
        received_in(tickets, period).values(field).annotate(count=Count("*")).values_list(field, "count")
    )
    closed = {
        key: (count, average)
        for key, count, average in closed_in(tickets, period).values(field)
        .annotate(count=Count("*"), average=Avg(resolution_time())).values_list(field, "count", "average")
    }
    still_open = dict(
        tickets.filter(open_at_end_filter(period)).values(field).annotate(count=Count("*"))
        .values_list(field, "count")
    )
    return {
        key: (received.get(key, 0), *closed.get(key, (0, None)), still_open.get(key, 0))
        for key in received.keys() | closed.keys() | still_open.keys()
    }


def per_topic(tickets, period):
    """Per topic: received, resolved, average resolution time and open at the end of the period."""
    if scope := summary.scope_of(tickets):
        return topic_figures(summary.breakdown(scope, period, "topic"))
    return topic_figures(_grouped(tickets, period, "topic"))


def topic_figures(figures):
    """[TopicFigures] sorted as the page shows them, from {topic pk: (received, resolved, average, open)}."""
    names = dict(Topic.objects.filter(pk__in=figures).values_list("pk", "name"))
    rows = [TopicFigures(topic_id, names[topic_id], *values) for topic_id, values in figures.items()]
    return sorted(rows, key=lambda row: (-row.received, -row.resolved, row.name.lower()))


def per_priority(tickets, period):
    """Per priority, Urgente first, every priority listed (0 when none): received, resolved, average
    resolution time and open at the end of the period. A request counts under the priority it has now (a
    change of priority is an Event; the figures do not replay them)."""
    if scope := summary.scope_of(tickets):
        return priority_figures(summary.breakdown(scope, period, "priority"))
    return priority_figures(_grouped(tickets, period, "priority"))


def priority_figures(figures):
    """[PriorityFigures], every priority, from {priority: (received, resolved, average, open)}."""
    return [PriorityFigures(value, str(label), *figures.get(value, (0, 0, None, 0)))
            for value, label in sorted(Priority.choices, reverse=True)]
