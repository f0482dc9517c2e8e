"""Time spent in the reports (issue 15, item 5), against a hand-built June 2026 (May to compare with).

Requests: #1 Facturación, Panadería La Espiga; #2 Facturación, Molino Harinero; #3 Reclamos, La Espiga.
June (Buenos Aires days):
  01/06 Ana   20 min on #1 (a reply)          02/06 Olga  15 min on #1 (an internal comment)
  10/06 Ana   60 min on #3                    15/06 Olga  45 min on #2
  30/06 23:30 Ana 10 min on #2 (still June)   01/07 00:10 Ana 99 min on #2 (July: left out)
  Total 150 min in 5 records: 30 min a record.
  Per user: Ana 90 (3 records), Olga 60 (2).
  Per topic: Facturación 90 (#1, #2; 4 records), Reclamos 60 (#3; 1).
  Per company: La Espiga 95 (#1, #3; 3 records), Molino 55 (#2; 2).
May: 20/05 Ana 30 min on #1.
"""

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tests.factories import AdminFactory, CompanyFactory, OperatorFactory
from reports import metrics, summary, time_spent
from sla.business_hours import BUENOS_AIRES
from tickets import services
from tickets.models import TimeEntry
from tickets.tests.factories import InProgressTicketFactory, InterventionFactory
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

JUNE = metrics.Period(datetime(2026, 6, 1).date(), datetime(2026, 6, 30).date())
MAY = metrics.Period(datetime(2026, 5, 1).date(), datetime(2026, 5, 31).date())
QUERY = {"desde": "01/06/2026", "hasta": "30/06/2026"}
COMPARED = {**QUERY, "comparar_desde": "01/05/2026", "comparar_hasta": "31/05/2026"}


def at(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BUENOS_AIRES)


@pytest.fixture
def june():
    ana = OperatorFactory(full_name="Ana Asignada")
    olga = OperatorFactory(full_name="Olga Operadora")
    billing = TopicFactory(name="Facturación", operators=[ana, olga])
    claims = TopicFactory(name="Reclamos", operators=[ana])
    espiga = CompanyFactory(name="Panadería La Espiga", cuit="30-71234567-1")
    molino = CompanyFactory(name="Molino Harinero")
    one = InProgressTicketFactory(topic=billing, company=espiga, assignee=ana)
    two = InProgressTicketFactory(topic=billing, company=molino, assignee=olga)
    three = InProgressTicketFactory(topic=claims, company=espiga, assignee=ana)

    def record(ticket, by, minutes, when, internal=False):
        message = InterventionFactory(ticket=ticket, author=by, internal=internal, created_at=at(when))
        TimeEntry.objects.create(intervention=message, ticket=ticket, author=by, topic_id=ticket.topic_id,
                                 company_id=ticket.company_id, minutes=minutes, at=at(when))

    record(one, ana, 20, "2026-06-01 10:00")
    record(one, olga, 15, "2026-06-02 11:00", internal=True)
    record(three, ana, 60, "2026-06-10 09:00")
    record(two, olga, 45, "2026-06-15 15:00")
    record(two, ana, 10, "2026-06-30 23:30")
    record(two, ana, 99, "2026-07-01 00:10")
    record(one, ana, 30, "2026-05-20 12:00")
    summary.rebuild_time()  # the records were written around the services
    return {"ana": ana, "olga": olga, "billing": billing, "claims": claims, "admin": AdminFactory()}


def tickets(june, **filters):
    return metrics.requests_for(june["admin"], **filters)


def figures(rows):
    return [(row.name, row.minutes, row.entries, row.average) for row in rows]


def test_the_total_of_the_period(june):
    assert figures(time_spent.time_spent(tickets(june), JUNE)) == [("", 150, 5, 30)]


def test_per_user_topic_and_company(june):
    assert figures(time_spent.time_spent(tickets(june), JUNE, "user")) == [
        ("Ana Asignada", 90, 3, 30), ("Olga Operadora", 60, 2, 30)]
    assert figures(time_spent.time_spent(tickets(june), JUNE, "topic")) == [
        ("Facturación", 90, 4, 22), ("Reclamos", 60, 1, 60)]  # 22.5 rounds to even
    company = CompanyFactory._meta.model.objects.get(name="Molino Harinero")
    assert figures(time_spent.time_spent(tickets(june), JUNE, "company")) == [
        ("Panadería La Espiga (30-71234567-1)", 95, 3, 32), (f"Molino Harinero ({company.cuit})", 55, 2, 28)]


def test_the_report_filters_narrow_the_requests(june):
    assert figures(time_spent.time_spent(tickets(june, topic=june["claims"]), JUNE)) == [("", 60, 1, 60)]
    # Requests assigned to Olga (#2): everyone's time on them.
    assert figures(time_spent.time_spent(tickets(june, operator=june["olga"]), JUNE, "user")) == [
        ("Olga Operadora", 45, 1, 45), ("Ana Asignada", 10, 1, 10)]


def test_a_period_without_records(june):
    empty = metrics.Period(datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date())
    assert figures(time_spent.time_spent(tickets(june), empty)) == [("", 0, 0, None)]
    assert time_spent.time_spent(tickets(june), empty, "user") == []


def test_the_comparison_with_another_period(june):
    report = time_spent.build(tickets(june), JUNE, MAY)
    summary = report.summary
    assert (summary.minutes.current, summary.minutes.previous, summary.minutes.change) == (150, 30, 400)
    assert (summary.entries.current, summary.entries.previous) == (5, 1)
    assert (summary.average.current, summary.average.previous) == (30, 30)
    assert summary.minutes.tone == "neutral"  # more time is neither good nor bad news
    per_user = {row.name: row for row in report.per_user}
    assert (per_user["Ana Asignada"].minutes.current, per_user["Ana Asignada"].minutes.previous) == (90, 30)
    assert (per_user["Olga Operadora"].minutes.current, per_user["Olga Operadora"].minutes.previous) == (60, 0)
    assert per_user["Olga Operadora"].minutes.change is None  # from nothing: no percentage
    per_topic = {row.name: row for row in report.per_topic}
    assert (per_topic["Reclamos"].minutes.previous, per_topic["Facturación"].minutes.previous) == (0, 30)


def test_someone_who_recorded_only_in_the_comparison_period_is_listed(june):
    report = time_spent.build(tickets(june), metrics.Period(datetime(2026, 6, 2).date(),
                                                            datetime(2026, 6, 2).date()), MAY)
    assert [(row.name, row.minutes.current, row.minutes.previous) for row in report.per_user] == [
        ("Olga Operadora", 15, 0), ("Ana Asignada", 0, 30)]


def test_time_stays_with_the_topic_it_was_spent_on(june):
    ana, ticket = june["ana"], InProgressTicketFactory(topic=june["billing"], assignee=june["ana"])
    services.comment_internally(ticket, by=ana, body="Reviso el padrón.", minutes=25)
    services.change_topic(ticket, by=ana, topic=june["claims"])
    services.reply(ticket, by=ana, body="Listo.", minutes=5)
    today = timezone.localdate()
    rows = time_spent.time_spent(tickets(june), metrics.Period(today, today), "topic")
    assert [(row.name, row.minutes) for row in rows] == [("Facturación", 25), ("Reclamos", 5)]


def test_the_page_shows_time_per_user_topic_and_company(client, june):
    client.force_login(june["admin"])
    response = client.get(reverse("reports:page"), COMPARED)
    assert response.status_code == 200
    assert response.context["time_spent"].summary.minutes.current == 150
    html = response.content.decode()
    for title in ("Tiempo dedicado por usuario", "Tiempo dedicado por temática", "Tiempo dedicado por empresa"):
        assert title in html
    assert "2 h 30 min" in html and "1 h 30 min" in html and "1 h 35 min" in html
    assert "+400 %" in html


def test_the_csv_is_in_the_users_locale(client, june):
    client.force_login(june["admin"])
    response = client.get(reverse("reports:export", args=["tiempo-por-usuario", "csv"]), COMPARED,
                          HTTP_ACCEPT_LANGUAGE="es-ar")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:4] == ["Usuario", "Tiempo dedicado (horas)", "Tiempo dedicado (comparación, horas)",
                           "Variación tiempo dedicado (%)"]
    assert rows[1] == ["Ana Asignada", "1,5", "0,5", "200,0", "3", "1", "200,0", "0,5", "0,5", "0,0"]
    assert rows[2][:4] == ["Olga Operadora", "1,0", "0,0", ""]
    response = client.get(reverse("reports:export", args=["tiempo-dedicado", "csv"]), QUERY,
                          HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8")[1:])))
    assert rows[1][:2] == ["Total", "2.5"]


def test_the_xlsx_has_every_row(client, june):
    many = [InProgressTicketFactory(topic=june["billing"], company=CompanyFactory()) for _ in range(30)]
    for ticket in many:
        message = InterventionFactory(ticket=ticket, author=june["olga"], created_at=at("2026-06-20 10:00"))
        TimeEntry.objects.create(intervention=message, ticket=ticket, author=june["olga"], topic=june["billing"],
                                 company=ticket.company, minutes=7, at=at("2026-06-20 10:00"))
    summary.rebuild_time()
    client.force_login(june["admin"])
    response = client.get(reverse("reports:export", args=["tiempo-por-empresa", "xlsx"]), QUERY)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Empresa", "Tiempo dedicado (horas)", "Registros", "Promedio por registro (horas)")
    assert len(rows) == 1 + 2 + 30
    assert rows[1] == ("Panadería La Espiga (30-71234567-1)", 1.58, 3, 0.53)


@pytest.mark.parametrize(("others", "note"), [
    (0, None),
    (time_spent.COMPANIES_SHOWN - 2, None),  # 25 in all: every one shown
    (time_spent.COMPANIES_SHOWN - 1,
     "Se ven las 25 empresas con más tiempo dedicado de 26; las descargas traen todas."),
])
def test_the_page_shows_the_companies_with_the_most_time(client, june, others, note):
    for _ in range(others):
        ticket = InProgressTicketFactory(topic=june["billing"], company=CompanyFactory())
        message = InterventionFactory(ticket=ticket, author=june["olga"], created_at=at("2026-06-20 10:00"))
        TimeEntry.objects.create(intervention=message, ticket=ticket, author=june["olga"], topic=june["billing"],
                                 company=ticket.company, minutes=7, at=at("2026-06-20 10:00"))
    summary.rebuild_time()
    client.force_login(june["admin"])
    response = client.get(reverse("reports:page"), QUERY)
    report = response.context["time_spent"]
    assert report.companies == 2 + others
    assert len(report.per_company) == min(2 + others, time_spent.COMPANIES_SHOWN)
    assert report.per_company[0].name == "Panadería La Espiga (30-71234567-1)"  # the most time first
    html = response.content.decode()
    assert html.count('class="report-note"') == (note is not None)
    assert note is None or note in html


@pytest.mark.parametrize("who", ["ana", "olga"])
def test_operators_do_not_reach_the_time_reports(client, june, who):
    client.force_login(june[who])
    for table in ("tiempo-por-usuario", "tiempo-por-empresa"):
        assert client.get(reverse("reports:export", args=[table, "csv"]), QUERY).status_code == 404


@pytest.mark.parametrize("period", [JUNE, MAY, metrics.Period(datetime(2025, 1, 1).date(),
                                                               datetime(2025, 1, 31).date())],
                         ids=["june", "may", "no records"])
def test_every_group_at_once_is_each_group_on_its_own(june, period):
    at_once = time_spent.time_spent_of_every_group(tickets(june), period)
    assert at_once == {group: time_spent.time_spent(tickets(june), period, group)
                       for group in (None, "user", "topic", "company")}
    narrowed = tickets(june, topic=june["claims"])
    assert time_spent.time_spent_of_every_group(narrowed, period)["user"] == time_spent.time_spent(
        narrowed, period, "user")


@pytest.mark.parametrize("period", [
    JUNE, MAY,
    metrics.Period(datetime(2026, 6, 30).date(), datetime(2026, 7, 1).date()),  # 23:30 and 00:10 across months
    metrics.Period(datetime(2026, 5, 20).date(), datetime(2026, 6, 2).date()),  # days of two months
    metrics.Period(datetime(2026, 4, 1).date(), datetime(2026, 7, 31).date()),  # whole months only
    metrics.Period(datetime(2024, 7, 2).date(), datetime(2026, 7, 1).date()),  # two years
    metrics.Period(datetime(2026, 6, 10).date(), datetime(2026, 6, 10).date()),  # one day
    metrics.Period(datetime(2025, 1, 1).date(), datetime(2025, 1, 31).date()),  # no records
], ids=str)
def test_the_time_summary_gives_what_the_records_give(june, period):
    """An administrator's report reads the time summary; `.all()` drops its scope and counts the records."""
    summed = tickets(june)
    assert time_spent.summed(summed) and not time_spent.summed(summed.all())
    assert not time_spent.summed(tickets(june, topic=june["claims"]))
    for group in (None, "user", "topic", "company"):
        assert time_spent.time_spent(summed, period, group) == time_spent.time_spent(summed.all(), period, group)
    assert time_spent.time_spent_of_every_group(summed, period) == time_spent.time_spent_of_every_group(
        summed.all(), period)
