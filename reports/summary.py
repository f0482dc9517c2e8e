"""The report figures that are sums over days, kept in a daily summary (reports.models.DaySummary).

At a million requests every report counted hundreds of thousands of rows on each view. What the reports
add up over days — received, closed, resolution time, first responses, SLA targets met — is kept per local
day (Buenos Aires) instead, by the services: each change to a request subtracts what the request counted
before and adds what it counts now (`moved`), in the same transaction, as tickets.tray_counts does for the
tab counts. `rebuild()` recomputes everything from the requests (after a bulk load or data written around
the services); `drift()` tells which rows disagree with them.

What a request counts (`contributions`), a row per kind:
- "r" received: on the local day of `created_at`, per topic and priority.
- "c" closed: on the local day of `closed_at`, per topic and priority: resolution time (µs) and, with a
  resolution due time, whether it was met. A reopened request has no `closed_at`: it counts again when
  it is closed again, on that day.
- "a" answered: on the local day of `first_response_at`, per topic and priority: calendar wait (µs),
  business minutes and, with a due time, whether it was met.
- "o" open now: requests without `closed_at`, per topic and priority, on one fixed day (OPEN_NOW).
- "C" and "A": the same per person (who closed it, who answered first) and topic, per day (span "d") and
  per calendar month (span "m", `day` is its first day): a year reads twelve month rows per person and
  the days at both ends.

Open at the end of a period: requests open now ("o"), plus those closed on or after the
day after the period, minus those received since then (a request is received before it is closed).

Medians are not sums: reports.metrics and reports.service_quality compute them from the requests, exactly
as before (see there).

Time spent (reports.time_spent) is kept apart, in reports.models.TimeSummary: each time record adds its minutes
to its local day and month, once under its author, once under its topic and once under its company
(`time_recorded`). Records are only ever added (they go with their message), so nothing is subtracted.
Satisfaction (reports.satisfaction) likewise, in reports.models.SurveySummary: each survey counts on the local
day and month it was sent, under the operator who held the request and under its topic, per answer (0 while
unanswered); a survey sent again at a later closing, or answered, moves (`survey_moved`). Staff are never
deleted (their requests protect them), so the operator a row names stays the survey's.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q, Sum

from reports.models import DaySummary, SurveySummary, TimeSummary
from satisfaction.models import Survey
from tickets.models import Ticket, TimeEntry

LOCAL_TZ = ZoneInfo("America/Argentina/Buenos_Aires")  # reports.metrics.LOCAL_TZ
TABLE = DaySummary._meta.db_table
KEY = ("span", "kind", "day", "topic_id", "priority", "person_id")
SUMS = ("count", "total", "business_count", "business_total", "due", "met")
# The columns of a request that its contributions depend on (read by `figures_of` and `rebuild`).
FIELDS = ("topic_id", "priority", "created_at", "closed_at", "closed_by_id", "resolution_due_at",
          "first_response_at", "first_response_by_id", "first_response_minutes", "first_response_due_at")
MICROSECOND = timedelta(microseconds=1)
# The day of the "o" rows (requests open now, per topic and priority): after any other, so that the backlog's
# one query is a single range of the key (kinds "c", "o", "r" from a day on).
OPEN_NOW = date.max


@dataclass(frozen=True)
class Figures:
    """What one request counts towards: the columns of FIELDS."""

    topic_id: int
    priority: int
    created_at: object
    closed_at: object
    closed_by_id: int | None
    resolution_due_at: object
    first_response_at: object
    first_response_by_id: int | None
    first_response_minutes: int | None
    first_response_due_at: object


def figures_of(ticket):
    """The Figures of a Ticket instance as it is in memory (None for None)."""
    if ticket is None:
        return None
    return Figures(*(getattr(ticket, name) for name in FIELDS))


def current(number):
    """The Figures of request `number` as stored now (one query)."""
    row = Ticket.objects.filter(pk=number).values_list(*FIELDS).first()
    return Figures(*row) if row else None


def local_day(moment):
    return moment.astimezone(LOCAL_TZ).date()


def month_of(day):
    return day.replace(day=1)


def contributions(figures):
    """[(key, sums)] of one request: KEY and SUMS tuples (see the module's docstring)."""
    rows = [(("d", "r", local_day(figures.created_at), figures.topic_id, figures.priority, 0), (1, 0, 0, 0, 0, 0))]
    if figures.closed_at is None:
        rows.append((("d", "o", OPEN_NOW, figures.topic_id, figures.priority, 0), (1, 0, 0, 0, 0, 0)))
    if figures.closed_at is not None:
        day = local_day(figures.closed_at)
        elapsed = (figures.closed_at - figures.created_at) // MICROSECOND
        due = figures.resolution_due_at is not None
        met = due and figures.closed_at <= figures.resolution_due_at
        rows.append((("d", "c", day, figures.topic_id, figures.priority, 0), (1, elapsed, 0, 0, int(due), int(met))))
        for span, start in (("d", day), ("m", month_of(day))):
            rows.append(((span, "C", start, figures.topic_id, 0, figures.closed_by_id or 0), (1, elapsed, 0, 0, 0, 0)))
    if figures.first_response_at is not None:
        day = local_day(figures.first_response_at)
        wait = (figures.first_response_at - figures.created_at) // MICROSECOND
        minutes = figures.first_response_minutes
        business = (0, 0) if minutes is None else (1, minutes)
        due = figures.first_response_due_at is not None
        met = due and figures.first_response_at <= figures.first_response_due_at
        rows.append((("d", "a", day, figures.topic_id, figures.priority, 0), (1, wait, *business, int(due), int(met))))
        for span, start in (("d", day), ("m", month_of(day))):
            rows.append(((span, "A", start, figures.topic_id, 0, figures.first_response_by_id or 0),
                         (1, wait, *business, 0, 0)))
    return rows


def _add_up(into, figures, sign):
    for key, sums in contributions(figures):
        into[key] = [total + sign * value for total, value in zip(into.get(key, (0,) * len(SUMS)), sums,
                                                                      strict=True)]


def moved(before, after):
    """One request counted as `before` and now counts as `after` (Figures; None when it did not or does not
    exist): the summary follows, in the caller's transaction (one statement, none when nothing changed)."""
    if before == after:
        return
    deltas = {}
    for figures, sign in ((before, -1), (after, 1)):
        if figures is not None:
            _add_up(deltas, figures, sign)
    _add(sorted((key, sums) for key, sums in deltas.items() if any(sums)))


def follow(before, number):
    """`moved(before, <request `number` as stored now>)`: what the services call after a change."""
    moved(before, current(number))


def _add(changes):
    _upsert(TABLE, KEY, SUMS, changes)


def _upsert(table, key, sums, changes):
    """Add each of `changes` ([(key tuple, sums tuple)], sorted) to its row of `table`, creating it when missing:
    one statement. Rows are locked in one order (sorted keys) by every transaction, so two changes never wait
    in a circle."""
    if not changes:
        return
    columns = (*key, *sums)
    rows = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(changes))
    params = [value for row_key, row_sums in changes for value in (*row_key, *row_sums)]
    updates = ", ".join(f'"{name}" = {table}."{name}" + excluded."{name}"' for name in sums)
    names = ", ".join(f'"{name}"' for name in columns)
    conflict = ", ".join(f'"{name}"' for name in key)
    with connection.cursor() as cursor:
        # Only names from this module are formatted in; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
            params,
        )


def _stored(model, key, sums):
    """{key tuple: [sums]} of the rows of `model` that count (any sum not 0)."""
    return {tuple(row[:len(key)]): list(row[len(key):])
            for row in model.objects.values_list(*key, *sums).iterator(chunk_size=5000) if any(row[len(key):])}


def _replace(model, key, sums, computed_rows, batch_size):
    """Every row of `model` replaced by `computed_rows` ({key tuple: [sums]}), written in key order (a
    grouping's consecutive days sit together on disk); returns how many."""
    model.objects.all().delete()
    rows = [model(**dict(zip(key, row_key, strict=True)), **dict(zip(sums, row_sums, strict=True)))
            for row_key, row_sums in sorted(computed_rows.items())]
    model.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def computed(tickets=None):
    """{key: [sums]} of every request, from scratch (one pass over the requests, in Python)."""
    totals = {}
    tickets = Ticket.objects if tickets is None else tickets
    for row in tickets.order_by().values_list(*FIELDS).iterator(chunk_size=5000):
        _add_up(totals, Figures(*row), 1)
    return {key: sums for key, sums in totals.items() if any(sums)}


def stored():
    return _stored(DaySummary, KEY, SUMS)


def rebuild():
    """Recompute the daily, time and survey summaries, in the caller's transaction; returns how many rows."""
    return rebuild_days() + rebuild_time() + rebuild_surveys()


def rebuild_days(batch_size=5000, tickets=None, model=DaySummary):
    """Recompute the daily summary from the requests, in the caller's transaction; returns how many rows.
    `tickets` and `model`: the managers to use (a migration passes its historical ones)."""
    return _replace(model, KEY, SUMS, computed(tickets), batch_size)


def drift():
    """The rows that disagree with the requests, their time records and their surveys: {key: (stored sums,
    actual sums)}; zeros stand for no row. Keys of the time summary start with "tiempo" (TIME_KEY after it,
    TIME_SUMS), those of the survey summary with "encuestas" (SURVEY_KEY, SURVEY_SUMS)."""
    found = _differences(computed(), stored(), len(SUMS))
    for name, actual, kept, width in (("tiempo", computed_time(), stored_time(), len(TIME_SUMS)),
                                      ("encuestas", computed_surveys(), stored_surveys(), len(SURVEY_SUMS))):
        for key, sums in _differences(actual, kept, width).items():
            found[(name, *key)] = sums
    return found


def _differences(actual, kept, width):
    zero = [0] * width
    return {key: (kept.get(key, zero), actual.get(key, zero)) for key in actual.keys() | kept.keys()
            if actual.get(key, zero) != kept.get(key, zero)}


# --- Time spent (TimeSummary) ------------------------------------------------------------------------------

TIME_TABLE = TimeSummary._meta.db_table
TIME_KEY = ("grouping", "span", "day", "key")
TIME_SUMS = ("minutes", "entries")
# The grouping's letter and the TimeEntry column it groups by.
TIME_GROUPINGS = {"u": "author_id", "t": "topic_id", "e": "company_id"}


def time_contributions(record):
    """[(TIME_KEY, (minutes, 1))] of one time record: any object with `at`, `minutes` and the columns of
    TIME_GROUPINGS (a TimeEntry, or a row read as one)."""
    day = local_day(record.at)
    return [((grouping, span, start, getattr(record, column) or 0), (record.minutes, 1))
            for grouping, column in TIME_GROUPINGS.items() for span, start in (("d", day), ("m", month_of(day)))]


def time_recorded(record):
    """A time record was written (tickets.services): its minutes join the summary, in the caller's transaction
    (one statement)."""
    _upsert(TIME_TABLE, TIME_KEY, TIME_SUMS, sorted(time_contributions(record)))


@dataclass(frozen=True)
class _Record:
    at: object
    minutes: int
    author_id: int
    topic_id: int
    company_id: int | None


def computed_time(entries=None):
    """{TIME_KEY: [minutes, entries]} of every time record, from scratch (one pass, in Python)."""
    totals = {}
    entries = TimeEntry.objects if entries is None else entries
    rows = entries.order_by().values_list("at", "minutes", *TIME_GROUPINGS.values()).iterator(chunk_size=5000)
    for row in rows:
        for key, sums in time_contributions(_Record(*row)):
            kept = totals.setdefault(key, [0, 0])
            kept[0] += sums[0]
            kept[1] += sums[1]
    return totals


def stored_time():
    return _stored(TimeSummary, TIME_KEY, TIME_SUMS)


def rebuild_time(batch_size=5000, entries=None, model=TimeSummary):
    """Recompute the time summary from the time records, in the caller's transaction; returns how many rows.
    `entries` and `model`: the managers to use (a migration passes its historical ones)."""
    return _replace(model, TIME_KEY, TIME_SUMS, computed_time(entries), batch_size)


def time_by(period, groupings):
    """{grouping letter: {key (None for 0): (minutes, entries)}} of the records of the period, for each of
    `groupings` (letters of TIME_GROUPINGS); one query: month rows and the days around them (`_spans`)."""
    found = (TimeSummary.objects.filter(covering(period), grouping__in=groupings).order_by()
             .values("grouping", "key").annotate(total_minutes=Sum("minutes"), total_entries=Sum("entries"))
             .values_list("grouping", "key", "total_minutes", "total_entries"))
    result = {grouping: {} for grouping in groupings}
    for grouping, key, minutes, entries in found:
        if entries:
            result[grouping][key or None] = (minutes, entries)
    return result


# --- Reading -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the summary can answer for: every request, or one topic's (`topic_id`). A report narrowed to an
    assignee reads the requests (one person's requests are few; the summary has no assignee)."""

    topic_id: int | None = None


def scope_of(tickets):
    """The Scope that `tickets` (from reports.metrics.requests_for) covers, or None when the summary cannot
    stand for them."""
    return getattr(tickets, "summary_scope", None)


def rows(scope, kind, first_day, last_day, span="d"):
    """DaySummary rows of `kind` and `span` whose day is in [first_day, last_day], in the scope."""
    found = DaySummary.objects.filter(span=span, kind=kind, day__gte=first_day, day__lte=last_day)
    return found if scope.topic_id is None else found.filter(topic_id=scope.topic_id)


def _spans(period):
    """[(span, first day, last day)] that cover the period: its whole calendar months as month rows, the
    days before and after them as day rows."""
    first_month = month_of(period.first_day)
    if first_month != period.first_day:
        first_month = month_of(first_month + timedelta(days=32))
    after_last = period.last_day + timedelta(days=1)
    end_month = month_of(after_last)  # the first month not whole in the period
    if first_month >= end_month:
        return [("d", period.first_day, period.last_day)]
    parts = [("m", first_month, end_month - timedelta(days=1))]
    if period.first_day < first_month:
        parts.append(("d", period.first_day, first_month - timedelta(days=1)))
    if end_month <= period.last_day:
        parts.append(("d", end_month, period.last_day))
    return parts


def covering(period):
    """The condition on `span` and `day` of the rows that cover the period once: month rows and the days
    around them (`_spans`)."""
    condition = Q()
    for span, first, last in _spans(period):
        condition |= Q(span=span, day__gte=first, day__lte=last)
    return condition


def person_rows(scope, kind, period):
    """Rows of a per-person kind ("C" or "A") covering the period: month rows and the days around them."""
    found = DaySummary.objects.filter(covering(period), kind=kind)
    return found if scope.topic_id is None else found.filter(topic_id=scope.topic_id)


def sums_by(queryset, *fields):
    """{values of `fields` (a tuple, or the value alone for one field): [sums]} of the groups with any row that
    counts; one query."""
    grouped = queryset.order_by().values(*fields).annotate(**{f"s_{name}": Sum(name) for name in SUMS})
    result = {}
    for row in grouped.values_list(*fields, *(f"s_{name}" for name in SUMS)):
        sums = list(row[len(fields):])
        if sums[0]:
            result[row[0] if len(fields) == 1 else tuple(row[:len(fields)])] = sums
    return result


def totals(queryset):
    """The SUMS of every row of `queryset`, in one query."""
    found = queryset.order_by().aggregate(**{name: Sum(name) for name in SUMS})
    return [found[name] or 0 for name in SUMS]


def average(total, count):
    """A mean duration from a sum in microseconds, to the microsecond (None without any)."""
    return timedelta(microseconds=round(total / count)) if count else None


def open_at_end(scope, period, field):
    """{value of `field`: requests open when the period ended}; see the module's docstring. `field` is
    "topic" or "priority"."""
    column = "topic_id" if field == "topic" else field
    after = period.last_day + timedelta(days=1)
    counts = Counter()
    found = DaySummary.objects.filter(span="d", kind__in=("c", "o", "r"), day__gte=after)
    if scope.topic_id is not None:
        found = found.filter(topic_id=scope.topic_id)
    for (kind, key), sums in sums_by(found, "kind", column).items():
        counts[key] += -sums[0] if kind == "r" else sums[0]
    return {key: count for key, count in counts.items() if count}


def per_day(scope, kind, period):
    counts = {day: sums[0] for day, sums in sums_by(rows(scope, kind, period.first_day, period.last_day),
                                                    "day").items()}
    return counts


def grouped(scope, kind, period, *fields):
    return sums_by(rows(scope, kind, period.first_day, period.last_day), *fields)


def by_person(scope, kind, period):
    return sums_by(person_rows(scope, kind, period), "person_id")



# --- The report figures from the summary (twins of reports.metrics and reports.service_quality) ------------


def _person(person_id):
    return person_id or None


def received_per_day(scope, period):
    from reports.metrics import DayCount

    counts = per_day(scope, "r", period)
    return [DayCount(day, counts.get(day, 0)) for day in period.days()]


def closed_per_day(scope, period):
    from reports.metrics import DayCount

    counts = per_day(scope, "c", period)
    return [DayCount(day, counts.get(day, 0)) for day in period.days()]


def resolution(scope, tickets, period):
    """metrics.Resolution: count and average from the summary, the median from the requests (exact)."""
    from reports.metrics import Resolution, closed_in, resolution_median

    count, total, *_rest = totals(rows(scope, "c", period.first_day, period.last_day))
    return Resolution(count, average(total, count), resolution_median(closed_in(tickets, period), count))


def open_at_end_total(scope, period):
    return sum(open_at_end(scope, period, "priority").values())


def resolved_per_operator(scope, period):
    from reports.metrics import OperatorFigures, operator_names

    found = by_person(scope, "C", period)
    names = operator_names([person for person in found if person])
    figures = [OperatorFigures(_person(person), names.get(person, ""), sums[0], average(sums[1], sums[0]))
               for person, sums in found.items()]
    return sorted(figures, key=lambda row: (-row.resolved, row.name.lower(), row.operator_id or 0))


def breakdown(scope, period, field):
    """{value of `field` ("topic" or "priority"): (received, resolved, average, open at the end)} as
    metrics._grouped gives it."""
    column = "topic_id" if field == "topic" else field
    received = grouped(scope, "r", period, column)
    closed = grouped(scope, "c", period, column)
    still_open = open_at_end(scope, period, field)
    return {
        key: (received[key][0] if key in received else 0,
              *((closed[key][0], average(closed[key][1], closed[key][0])) if key in closed else (0, None)),
              still_open.get(key, 0))
        for key in received.keys() | closed.keys() | still_open.keys()
    }


# --- Satisfaction (SurveySummary) ------------------------------------------------------------------------------

SURVEY_TABLE = SurveySummary._meta.db_table
SURVEY_KEY = ("grouping", "span", "day", "key", "score")
SURVEY_SUMS = ("count",)
# The grouping's letter and the Survey column it groups by.
SURVEY_GROUPINGS = {"u": "assignee_id", "t": "topic_id"}
# The columns of a survey that what it counts depends on.
SURVEY_FIELDS = ("sent_at", "assignee_id", "topic_id", "score")


@dataclass(frozen=True)
class Sent:
    """What one survey counts towards: the columns of SURVEY_FIELDS."""

    sent_at: object
    assignee_id: int | None
    topic_id: int
    score: int | None


def sent_of(survey):
    """The Sent of a Survey instance as it is in memory (None for None)."""
    return None if survey is None else Sent(*(getattr(survey, name) for name in SURVEY_FIELDS))


def survey_contributions(sent):
    """[(SURVEY_KEY, (1,))] of one survey: its day and month of sending, under its operator and its topic."""
    day = local_day(sent.sent_at)
    return [((grouping, span, start, getattr(sent, column) or 0, sent.score or 0), (1,))
            for grouping, column in SURVEY_GROUPINGS.items() for span, start in (("d", day), ("m", month_of(day)))]


def _count_up(into, sent, sign):
    for key, (count,) in survey_contributions(sent):
        into[key] = into.get(key, 0) + sign * count


def survey_moved(before, after):
    """A survey counted as `before` and now counts as `after` (Sent, or None when it did not exist): the summary
    follows in the caller's transaction (satisfaction.services: sent, sent again at a new closing, answered)."""
    if before == after:
        return
    deltas = {}
    for sent, sign in ((before, -1), (after, 1)):
        if sent is not None:
            _count_up(deltas, sent, sign)
    _upsert(SURVEY_TABLE, SURVEY_KEY, SURVEY_SUMS, sorted((key, (count,)) for key, count in deltas.items() if count))


def computed_surveys(surveys=None):
    """{SURVEY_KEY: [count]} of every survey, from scratch (one pass, in Python)."""
    totals = {}
    surveys = Survey.objects if surveys is None else surveys
    for row in surveys.order_by().values_list(*SURVEY_FIELDS).iterator(chunk_size=5000):
        _count_up(totals, Sent(*row), 1)
    return {key: [count] for key, count in totals.items() if count}


def stored_surveys():
    return _stored(SurveySummary, SURVEY_KEY, SURVEY_SUMS)


def rebuild_surveys(batch_size=5000, surveys=None, model=SurveySummary):
    """Recompute the survey summary from the surveys, in the caller's transaction; returns how many rows.
    `surveys` and `model`: the managers to use (a migration passes its historical ones)."""
    return _replace(model, SURVEY_KEY, SURVEY_SUMS, computed_surveys(surveys), batch_size)


def surveys_by(period, groupings):
    """{grouping letter: {(key or None, score or None): surveys}} of the surveys sent in the period, for each of
    `groupings` (letters of SURVEY_GROUPINGS); one query over month rows and the days around them."""
    found = (SurveySummary.objects.filter(covering(period), grouping__in=groupings).order_by()
             .values("grouping", "key", "score").annotate(surveys=Sum("count"))
             .values_list("grouping", "key", "score", "surveys"))
    result = {grouping: {} for grouping in groupings}
    for grouping, key, score, surveys in found:
        if surveys:
            result[grouping][(key or None, score or None)] = surveys
    return result
