"""Satisfaction in the reports (issue 15), against hand-built surveys of June 2026 (and May to compare).

June, sent (closed) in the period:
  Ana, Facturación: #1 answered 5 with a comment, #2 answered 4, #3 not answered
  Olga, Facturación: #4 answered 2 with a comment
  Ana, Reclamos: #5 not answered
  → 5 sent, 3 answered (60 %), average (5+4+2)/3 = 3.67; Ana 4 sent, 2 answered (50 %), 4.5; Olga 1, 1, 2.0.
  #6 answered 1 but sent on 1/7: not in June.
May: Ana, Facturación: #7 answered 3; #8 not answered → 2 sent, 1 answered (50 %), 3.0.
#1 was later reassigned to Olga and moved to Reclamos: it still counts for Ana and Facturación (at closing).
"""

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, OperatorFactory
from reports import metrics, satisfaction, summary
from satisfaction.models import Survey
from sla.business_hours import BUENOS_AIRES
from tickets.models import State
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

JUNE = metrics.Period(datetime(2026, 6, 1).date(), datetime(2026, 6, 30).date())
MAY = metrics.Period(datetime(2026, 5, 2).date(), datetime(2026, 5, 31).date())
QUERY = {"desde": "01/06/2026", "hasta": "30/06/2026"}
COMPARED = {**QUERY, "comparar_desde": "02/05/2026", "comparar_hasta": "31/05/2026"}


def at(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BUENOS_AIRES)


@pytest.fixture
def june():
    ana = OperatorFactory(full_name="Ana Asignada")
    olga = OperatorFactory(full_name="Olga Operadora")
    billing = TopicFactory(name="Facturación", operators=[ana, olga])
    claims = TopicFactory(name="Reclamos", operators=[ana, olga])

    def survey(operator, topic, sent, score=None, comment="", subject="Factura"):
        ticket = TicketFactory(topic=topic, assignee=operator, state=State.CLOSED, subject=subject,
                               created_at=at(sent), closed_at=at(sent), closed_by=operator)
        return Survey.objects.create(ticket=ticket, requester=ticket.requester, assignee=operator, topic=topic,
                                     sent_at=at(sent), score=score, comment=comment, answered_at=score and at(sent))

    first = survey(ana, billing, "2026-06-02 10:00", 5, "Rapidísimos, gracias.", subject="No imprime")
    survey(ana, billing, "2026-06-03 10:00", 4)
    survey(ana, billing, "2026-06-04 10:00")
    survey(olga, billing, "2026-06-05 10:00", 2, "=HYPERLINK(\"http://x\")")
    survey(ana, claims, "2026-06-30 23:30")  # the last evening of June in Buenos Aires
    survey(olga, claims, "2026-07-01 00:10", 1, "Fuera del período")
    survey(ana, billing, "2026-05-10 10:00", 3)
    survey(ana, billing, "2026-05-11 10:00")
    # Later moves of the request do not move its answer.
    type(first.ticket).objects.filter(pk=first.ticket_id).update(assignee=olga, topic=claims)
    summary.rebuild_surveys()  # the surveys were written around the services
    return {"ana": ana, "olga": olga, "admin": AdminFactory()}


def tickets(june):
    return metrics.requests_for(june["admin"])


def test_average_and_answer_rate(june):
    [total] = satisfaction.figures(tickets(june), JUNE)
    assert (total.sent, total.answered, total.rate, total.average) == (5, 3, 60.0, 3.67)


def test_per_operator_and_topic_at_closing_time(june):
    per_operator = satisfaction.figures(tickets(june), JUNE, "assignee")
    assert [(row.name, row.sent, row.answered, row.rate, row.average) for row in per_operator] == [
        ("Ana Asignada", 4, 2, 50.0, 4.5), ("Olga Operadora", 1, 1, 100.0, 2.0)]
    per_topic = satisfaction.figures(tickets(june), JUNE, "topic")
    assert [(row.name, row.sent, row.answered, row.average) for row in per_topic] == [
        ("Facturación", 4, 3, 3.67), ("Reclamos", 1, 0, None)]


def test_the_distribution_and_the_comments(june):
    assert [count for _score, _label, count in satisfaction.distribution(tickets(june), JUNE)] == [0, 1, 0, 1, 1]
    comments = satisfaction.comments(tickets(june), JUNE)
    assert [(c.score, c.label, c.comment, c.operator, c.topic) for c in comments] == [
        (2, "Mal", "=HYPERLINK(\"http://x\")", "Olga Operadora", "Facturación"),
        (5, "Excelente", "Rapidísimos, gracias.", "Ana Asignada", "Facturación")]
    assert comments[1].url == reverse("tickets:detail", args=[comments[1].number])
    assert len(satisfaction.comments(tickets(june), JUNE, limit=1)) == 1


def test_the_answers_per_score_with_the_comparison_and_their_chart(june):
    report = satisfaction.build(tickets(june), JUNE, MAY)
    # June: one 2, one 4, one 5 (a third each); May: one 3.
    assert [(row.score, row.label, row.count, row.share, row.other_count, row.other_share)
            for row in report.scores] == [
        (1, "Muy mal", 0, 0.0, 0, 0.0), (2, "Mal", 1, 33.3, 0, 0.0), (3, "Regular", 0, 0.0, 1, 100.0),
        (4, "Bien", 1, 33.3, 0, 0.0), (5, "Excelente", 1, 33.3, 0, 0.0)]
    chart = report.chart
    assert chart["labels"] == ["1 · Muy mal", "2 · Mal", "3 · Regular", "4 · Bien", "5 · Excelente"]
    assert [dataset["data"] for dataset in chart["datasets"]] == [[0, 1, 0, 1, 1], [0, 0, 1, 0, 0]]
    assert [dataset["kind"] for dataset in chart["datasets"]] == ["current", "comparison"]
    assert chart["datasets"][0]["dates"][0] == "01/06–30/06/2026"
    assert chart["datasets"][1]["dates"][0] == "02/05–31/05/2026"


def test_without_a_comparison_the_chart_has_one_series_and_no_answers_no_shares(june):
    report = satisfaction.build(tickets(june), MAY)
    assert len(report.chart["datasets"]) == 1
    assert [(row.count, row.other_count) for row in report.scores] == [(0, None), (0, None), (1, None), (0, None),
                                                                       (0, None)]
    january = metrics.Period(datetime(2026, 1, 1).date(), datetime(2026, 1, 31).date())
    nobody = satisfaction.build(tickets(june), january)
    assert {row.share for row in nobody.scores} == {None}


def test_the_page_draws_the_scores_chart_from_data_and_tells_the_same_numbers_in_a_table(client, june):
    client.force_login(june["admin"])
    page = client.get(reverse("reports:page"), COMPARED).content.decode()
    assert 'data-chart="grafico-satisfaccion-datos"' in page and 'id="grafico-satisfaccion-datos"' in page
    table = page[page.index('id="tabla-satisfaccion-puntaje"'):]
    table = table[:table.index("</table>")]
    assert "2 · Mal" in table and 'data-value="1"' in table and "33,3" in table


def test_the_comparison_with_another_period(june):
    report = satisfaction.build(tickets(june), JUNE, MAY)
    assert (report.summary.sent.current, report.summary.sent.previous) == (5, 2)
    assert (report.summary.rate.current, report.summary.rate.previous) == (60.0, 50.0)
    assert round(report.summary.rate.change) == 20
    assert report.summary.average.previous == 3.0 and report.summary.average.tone == "good"
    ana = next(row for row in report.per_operator if row.name == "Ana Asignada")
    assert (ana.average.current, ana.average.previous) == (4.5, 3.0)


def test_a_topic_filter_narrows_it(june):
    billing = metrics.requests_for(june["admin"], topic=TopicFactory._meta.model.objects.get(name="Facturación"))
    [total] = satisfaction.figures(billing, JUNE)
    # #1 is in Reclamos now: the filter is on the request as it is, like every report.
    assert (total.sent, total.answered) == (3, 2)


def test_the_page_shows_it(client, june):
    client.force_login(june["admin"])
    response = client.get(reverse("reports:page"), COMPARED)
    page = response.content.decode()
    for text in ("Satisfacción por usuario", "Satisfacción por temática", "Comentarios de la encuesta",
                 "Rapidísimos, gracias.", "3,67"):
        assert text in page
    assert response.context["satisfaction"].summary.answered.current == 3


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text.splitlines()[0] else ","))


@pytest.mark.parametrize(("language", "average"), [("es-ar", "3,67"), ("en", "3.67")])
def test_csv_in_the_user_language(client, june, language, average):
    client.force_login(june["admin"])
    rows = read_csv(client.get(reverse("reports:export", args=["satisfaccion", "csv"]), QUERY,
                               HTTP_ACCEPT_LANGUAGE=language))
    assert rows[1][1:] == ["5", "3", "60" + (",0" if language == "es-ar" else ".0"), average]


def test_the_comments_download_has_every_comment_and_neutralises_formulas(client, june, monkeypatch):
    monkeypatch.setattr(satisfaction, "LATEST_COMMENTS", 1)  # the page shows one; the download all
    client.force_login(june["admin"])
    rows = read_csv(client.get(reverse("reports:export", args=["satisfaccion-comentarios", "csv"]), QUERY,
                               HTTP_ACCEPT_LANGUAGE="es-ar"))
    assert rows[0] == ["Solicitud", "Asunto", "Respuesta", "Puntaje", "Comentario", "Respondida", "Usuario",
                       "Temática"]
    assert [row[4] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "Rapidísimos, gracias."]
    assert rows[2][5] == "02/06/2026"
    xlsx = client.get(reverse("reports:export", args=["satisfaccion-por-usuario", "xlsx"]), COMPARED)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:3] == ["Ana Asignada", 4, 2]


def test_the_answers_per_score_download(client, june):
    client.force_login(june["admin"])
    response = client.get(reverse("reports:export", args=["satisfaccion-por-puntaje", "csv"]), COMPARED)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Puntaje", "Respuesta", "Respuestas", "Respuestas (%)", "Respuestas (comparación)",
                       "Respuestas (comparación, %)"]
    assert rows[3] == ["3", "Regular", "0", "0,0", "1", "100,0"]  # es-AR decimals


@pytest.mark.parametrize("who", ["ana", "olga"])
def test_operators_do_not_reach_the_scores(client, june, who):
    client.force_login(june[who])
    assert client.get(reverse("reports:page"), QUERY).status_code in (403, 404)
    for table in satisfaction.TABLES:
        assert client.get(reverse("reports:export", args=[table, "csv"]), QUERY).status_code == 404


def test_queries_do_not_grow_with_the_surveys(client, june, django_assert_max_num_queries):
    client.force_login(june["admin"])
    with django_assert_max_num_queries(60) as before:
        client.get(reverse("reports:page"), COMPARED)
    operator, topic = OperatorFactory(), TopicFactory()
    for day in range(10, 20):
        ticket = TicketFactory(topic=topic, assignee=operator, state=State.CLOSED, closed_at=at(f"2026-06-{day} 10:00"),
                               closed_by=operator)
        Survey.objects.create(ticket=ticket, requester=ticket.requester, assignee=operator, topic=topic,
                              sent_at=at(f"2026-06-{day} 10:00"), score=3, comment="Bien", answered_at=at(
                                  f"2026-06-{day} 11:00"))
    summary.rebuild_surveys()
    with django_assert_max_num_queries(len(before)):
        client.get(reverse("reports:page"), COMPARED)


@pytest.mark.parametrize("period", [JUNE, metrics.Period(datetime(2025, 1, 1).date(), datetime(2025, 1, 31).date())],
                         ids=["june", "no surveys"])
def test_every_group_at_once_is_each_group_on_its_own(june, period):
    at_once = satisfaction.figures_of_every_group(tickets(june), period)
    assert at_once == ({group: satisfaction.figures(tickets(june), period, group)
                        for group in (None, "assignee", "topic")}, satisfaction.distribution(tickets(june), period))


@pytest.mark.parametrize("period", [
    JUNE,
    metrics.Period(datetime(2026, 6, 30).date(), datetime(2026, 7, 1).date()),  # 23:30 and 00:10 across months
    metrics.Period(datetime(2026, 5, 11).date(), datetime(2026, 6, 3).date()),  # days of two months
    metrics.Period(datetime(2026, 5, 1).date(), datetime(2026, 7, 31).date()),  # whole months only
    metrics.Period(datetime(2024, 7, 2).date(), datetime(2026, 7, 1).date()),  # two years
    metrics.Period(datetime(2026, 6, 4).date(), datetime(2026, 6, 4).date()),  # one day, sent but not answered
    metrics.Period(datetime(2025, 1, 1).date(), datetime(2025, 1, 31).date()),  # no surveys
], ids=str)
def test_the_survey_summary_gives_what_the_surveys_give(june, period):
    """An administrator's report reads the survey summary; `.all()` drops its scope and reads the surveys."""
    summed = tickets(june)
    assert satisfaction.summed(summed) and not satisfaction.summed(summed.all())
    for group in (None, "assignee", "topic"):
        assert satisfaction.figures(summed, period, group) == satisfaction.figures(summed.all(), period, group)
    assert satisfaction.distribution(summed, period) == satisfaction.distribution(summed.all(), period)
    assert satisfaction.figures_of_every_group(summed, period) == satisfaction.figures_of_every_group(
        summed.all(), period)
