"""Satisfaction in the reports (issue 15): the answers to the closing email's «¿Cómo te atendimos?».

A survey counts in the period in which it was sent (the request's closing by staff, satisfaction.models.Survey
.sent_at), for the operator who held the request and the topic it had then. Answer rate: answered / sent, in
percent; average: of the answered ones (1 Muy mal … 5 Excelente). Every figure with the comparison period's.
An administrator's report of every request reads the survey summary (reports.summary.surveys_by: month rows and
the days around them); a report narrowed to a topic or an assignee reads one range of the index
survey_report_sent_idx (sent_at, assignee, topic, score): the summary keeps the topic at closing, the report
narrows by the request's topic now.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import metrics, summary
from reports.tables import UP, Figure, figure
from satisfaction.models import Score, Survey
from tickets.models import Ticket, detail_url

LATEST_COMMENTS = 20


def surveys_of(tickets):
    """The surveys of the requests in `tickets` (reports.metrics.requests_for)."""
    surveys = Survey.objects.order_by()
    # An administrator's unfiltered reports read every request: no semi-join over the whole ticket table.
    if tickets.query.where:
        surveys = surveys.filter(ticket__in=tickets)
    return surveys


def sent_in(tickets, period):
    return surveys_of(tickets).filter(sent_at__gte=period.start, sent_at__lt=period.end)


@dataclass(frozen=True)
class Satisfaction:
    """Of one group (or all): surveys sent, answered, answer rate (percent) and average score (1–5)."""

    key: object
    name: str
    sent: int
    answered: int
    rate: float | None
    average: float | None


def _rate(answered, sent):
    return None if not sent else round(answered * 100 / sent, 1)


def summed(tickets):
    """Whether the survey summary stands for the surveys of `tickets`: an administrator's report of every
    request (reports.metrics.requests_for, no topic, no assignee)."""
    scope = summary.scope_of(tickets)
    return scope is not None and scope.topic_id is None


def figures(tickets, period, group=None):
    """[Satisfaction] per `group` ("assignee", "topic" or None for one row of all), most surveys first."""
    if summed(tickets):
        return _from_summary(period)[0][group]
    surveys = sent_in(tickets, period)
    aggregates = {"sent": Count("*"), "answered": Count("score"), "average": Avg("score")}
    if group is None:
        rows = [(None, *surveys.aggregate(**aggregates).values())]
    else:
        rows = surveys.values(group).annotate(**aggregates).values_list(group, "sent", "answered", "average")
    return _figures(group, list(rows))


GROUPS = ("assignee", "topic")


def figures_of_every_group(tickets, period):
    """({None: [all], "assignee": […], "topic": […]} as figures() gives them, distribution()) of the surveys sent
    in the period. On PostgreSQL one pass over them (GROUPING SETS, the score being the fourth set) instead of
    four queries; elsewhere four."""
    if summed(tickets):
        return _from_summary(period)
    if connection.vendor != "postgresql":
        return {group: figures(tickets, period, group) for group in (None, *GROUPS)}, distribution(tickets, period)
    groups = ["assignee", "topic", "score"]
    sums = metrics.sums_of_every_grouping(sent_in(tickets, period).values_list(*groups), groups,
                                          "COUNT(*), COUNT(score), AVG(score)")
    found = {None: [(None, *sums[None][0])], "assignee": sums["assignee"], "topic": sums["topic"]}
    scores = {score: answered for score, _sent, answered, _average in sums["score"] if score is not None}
    return ({group: _figures(group, rows) for group, rows in found.items()},
            [(score, label, scores.get(score, 0)) for score, label in Score.choices])


def _from_summary(period):
    """figures_of_every_group from the survey summary, in one query: the operators' rows, and the topics' rows
    for the topics, for all (every survey has a topic) and for the distribution."""
    found = summary.surveys_by(period, ["t", "u"])
    per_topic = _per_key(found["t"])
    every = {"assignee": _per_key(found["u"]), "topic": per_topic,
             None: [(None, *(sum(row[index] for row in per_topic) for index in (1, 2, 3)))]}
    answers = {}
    for (_topic, score), count in found["t"].items():
        if score is not None:
            answers[score] = answers.get(score, 0) + count
    groups = {group: _figures(group, [(key, sent, answered, total / answered if answered else None)
                                      for key, sent, answered, total in rows]) for group, rows in every.items()}
    return groups, [(score, label, answers.get(score, 0)) for score, label in Score.choices]


def _per_key(counts):
    """[(key, sent, answered, sum of the scores)] of {(key, score or None): surveys}."""
    per_key = {}
    for (key, score), count in counts.items():
        sent, answered, total = per_key.get(key, (0, 0, 0))
        per_key[key] = (sent + count, answered + (count if score else 0), total + (score or 0) * count)
    return [(key, *sums) for key, sums in per_key.items()]


def _figures(group, rows):
    names = _names(group, [row[0] for row in rows])
    result = [Satisfaction(key, names.get(key, ""), sent, answered, _rate(answered, sent),
                           None if average is None else round(float(average), 2))
              for key, sent, answered, average in rows]
    return sorted(result, key=lambda row: (-row.sent, row.name.lower()))


def _names(group, keys):
    """{key: name} of the keys of `group` (none for the row of all)."""
    kind = {"topic": "topic", "assignee": "person"}.get(group)
    return metrics.names_of(kind, keys) if kind else {}


def distribution(tickets, period):
    """[(score, label, how many answers)] of the surveys sent in the period, 1 to 5 (0 where none)."""
    if summed(tickets):
        return _from_summary(period)[1]
    counts = dict(sent_in(tickets, period).filter(score__isnull=False).values("score").annotate(n=Count("*"))
                  .values_list("score", "n"))
    return [(score, label, counts.get(score, 0)) for score, label in Score.choices]


@dataclass(frozen=True)
class ScoreRow:
    """One answer (1–5) of the distribution: how many chose it in the period and in the comparison (None
    without one), and which share of the period's answers that is (percent, None when nobody answered)."""

    score: int
    label: str
    count: int
    share: float | None
    other_count: int | None
    other_share: float | None


def _shares(counts):
    total = sum(counts)
    return [None if not total else round(count * 100 / total, 1) for count in counts]


def score_rows(current, previous=None):
    """[ScoreRow] from distribution() of the period and, optionally, of the comparison period."""
    counts = [count for _score, _label, count in current]
    others = [count for _score, _label, count in previous] if previous is not None else [None] * len(counts)
    other_shares = _shares(others) if previous is not None else [None] * len(counts)
    return [ScoreRow(score, str(label), count, share, other, other_share) for (score, label, count), share, other,
            other_share in zip(current, _shares(counts), others, other_shares, strict=True)]


@dataclass(frozen=True)
class Comment:
    number: int
    subject: str
    score: int
    label: str
    comment: str
    answered_at: object
    operator: str
    topic: str

    @property
    def url(self):
        return detail_url(self.number)


def comments(tickets, period, limit=LATEST_COMMENTS):
    """[Comment] of the surveys sent in the period that have one, latest answer first; `limit` None for all.

    Reads the partial index survey_report_comments_idx newest first, then the subjects and names of just those
    rows (no join over the whole ticket table, for the download of every comment of a year)."""
    rows = (sent_in(tickets, period).filter(score__isnull=False).exclude(comment="")
            .order_by("-answered_at", "-ticket_id")
            .values_list("ticket_id", "score", "comment", "answered_at", "assignee_id", "topic_id"))
    rows = list(rows if limit is None else rows[:limit])
    subjects = {}
    for start in range(0, len(rows), 2000):
        numbers = [row[0] for row in rows[start:start + 2000]]
        subjects.update(Ticket.objects.filter(pk__in=numbers).values_list("number", "subject"))
    operators = _names("assignee", {row[4] for row in rows})
    topics = _names("topic", {row[5] for row in rows})
    labels = {score: str(label) for score, label in Score.choices}
    return [Comment(number, subjects.get(number, ""), score, labels[score], comment,
                    answered_at, operators.get(assignee_id, ""), topics.get(topic_id, ""))
            for number, score, comment, answered_at, assignee_id, topic_id in rows]


# --- Rows with the comparison ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionRow:
    name: str
    sent: Figure
    answered: Figure
    rate: Figure
    average: Figure


def rows(current, previous=None):
    compared = previous is not None
    before = {row.key: row for row in previous or []}
    empty = lambda row: Satisfaction(row.key, row.name, 0, 0, None, None)  # noqa: E731
    pairs = [(row, before.pop(row.key, None) or empty(row)) for row in current]
    pairs += [(empty(row), row) for row in before.values()]
    return [SatisfactionRow(
        now.name, figure(now.sent, other.sent, compared), figure(now.answered, other.answered, compared),
        figure(now.rate, other.rate, compared, UP), figure(now.average, other.average, compared, UP),
    ) for now, other in pairs]


@dataclass
class Report:
    summary: SatisfactionRow
    per_operator: list
    per_topic: list
    scores: list  # [ScoreRow], 1 to 5
    chart: dict  # reports.charts.score_chart
    comments: list


def build(tickets, period, comparison=None):
    """Every satisfaction table of the reports page, for the period and optionally a comparison."""
    from reports import charts

    current, current_scores = figures_of_every_group(tickets, period)
    previous, previous_scores = figures_of_every_group(tickets, comparison) if comparison else ({}, None)

    def both(group):
        return rows(current[group], previous.get(group) if comparison else None)

    scores = score_rows(current_scores, previous_scores)
    return Report(summary=both(None)[0], per_operator=both("assignee"), per_topic=both("topic"), scores=scores,
                  chart=charts.score_chart(scores, period, comparison), comments=comments(tickets, period))


# --- Downloads (reports.exports.TABLES) -------------------------------------------------------------------


def _figures_table(title, first_header, group):
    def table(tickets, period, comparison):
        from reports.exports import Table, cells, figure_headers

        table_rows = rows(figures(tickets, period, group), figures(tickets, comparison, group) if comparison else None)
        headers = [
            str(first_header), *figure_headers(_("Encuestas enviadas"), comparison),
            *figure_headers(_("Respondidas"), comparison), *figure_headers(_("Tasa de respuesta"), comparison, "%"),
            *figure_headers(_("Puntaje promedio"), comparison, "1–5"),
        ]
        return Table(str(title), headers, [
            [row.name or (_("Total") if group is None else _("Sin dato")), *cells(row.sent), *cells(row.answered),
             *cells(row.rate), *cells(row.average)] for row in table_rows])
    return table


def comments_table(tickets, period, comparison):
    """Every comment of the period (no cap), latest first; the comparison does not apply to them."""
    from reports.exports import Table

    headers = [_("Solicitud"), _("Asunto"), _("Respuesta"), _("Puntaje"), _("Comentario"), _("Respondida"),
               _("Usuario"), _("Temática")]
    zone = timezone.get_current_timezone()
    return Table(_("Comentarios de la encuesta"), headers, [
        [row.number, row.subject, row.label, row.score, row.comment, row.answered_at.astimezone(zone).date(),
         row.operator, row.topic]
        for row in comments(tickets, period, limit=None)])


def scores_table(tickets, period, comparison):
    """How many answered each score (1–5) and its share of the answers, with the comparison period's."""
    from reports.exports import Table

    rows_ = score_rows(distribution(tickets, period), distribution(tickets, comparison) if comparison else None)
    headers = [_("Puntaje"), _("Respuesta"), _("Respuestas"), _("Respuestas (%)")]
    if comparison is not None:
        headers += [_("Respuestas (comparación)"), _("Respuestas (comparación, %)")]
    return Table(_("Respuestas por puntaje"), headers, [
        [row.score, row.label, row.count, row.share,
         *([row.other_count, row.other_share] if comparison is not None else [])] for row in rows_])


TABLES = {
    "satisfaccion-por-puntaje": scores_table,
    "satisfaccion": _figures_table(gettext_lazy("Satisfacción"), gettext_lazy("Período"), None),
    "satisfaccion-por-usuario": _figures_table(gettext_lazy("Satisfacción por usuario"), gettext_lazy("Usuario"),
                                               "assignee"),
    "satisfaccion-por-tematica": _figures_table(gettext_lazy("Satisfacción por temática"), gettext_lazy("Temática"),
                                                "topic"),
    "satisfaccion-comentarios": comments_table,
}
