"""The reports page as an administrator: defaults, figures, comparison, bad dates and its cost in queries."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminFactory, OperatorFactory
from reports.tests.dataset import build_week, local
from tickets.models import State
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

URL = reverse("reports:page")
WEEK = {"desde": "01/03/2026", "hasta": "07/03/2026"}
WITH_COMPARISON = {**WEEK, "comparar_desde": "22/02/2026", "comparar_hasta": "28/02/2026"}


@pytest.fixture
def week():
    return build_week()


@pytest.fixture
def admin_client(client, week):
    client.force_login(week.admin)
    return client



def test_default_is_the_last_30_days(client):
    client.force_login(AdminFactory())
    response = client.get(URL)
    today = timezone.localdate()
    assert response.status_code == 200
    period = response.context["report"].period
    assert (period.first_day, period.last_day) == (today - timedelta(days=29), today)
    assert response.context["report"].comparison is None
    content = response.content.decode()
    # The browser's date picker takes aaaa-mm-dd (accounts.dates.DayInput).
    assert f'value="{(today - timedelta(days=29)):%Y-%m-%d}"' in content
    assert f'value="{today:%Y-%m-%d}"' in content


def test_the_week_in_figures(admin_client):
    response = admin_client.get(URL, WEEK)
    content = response.content.decode()
    summary = response.context["report"].summary
    assert (summary.received.current, summary.resolved.current, summary.open_at_end.current) == (5, 5, 3)
    # Received, resolved, average 24 h 51 min, median 24 h 15 min, open at the end.
    assert re.findall(r'report-kpi-value">([^<]*)<', content)[:5] == ["5", "5", "1 día 1 h", "1 día", "3"]
    assert response.context["received_chart"]["datasets"][0]["data"] == [0, 2, 0, 1, 1, 0, 1]
    assert response.context["closed_chart"]["datasets"][0]["data"] == [1, 2, 1, 0, 0, 1, 0]
    assert response.context["received_chart"]["labels"][:2] == ["01/03", "02/03"]
    assert 'id="grafico-recibidas-datos" type="application/json"' in content
    assert "Martín Gómez" in content and "Soporte técnico" in content
    assert [(row.name, row.received.current) for row in response.context["report"].priorities] == [
        ("Urgente", 0), ("Alta", 0), ("Normal", 5), ("Baja", 0)]
    assert 'id="tabla-prioridades"' in content and "por-prioridad.csv" in content


def test_comparison_shows_both_periods_and_the_change(admin_client):
    response = admin_client.get(URL, WITH_COMPARISON)
    content = response.content.decode()
    assert "comparado con el 22/02/2026 al 28/02/2026" in content
    assert "+25 %" in content  # received 5 vs. 4
    assert "+400 %" in content  # resolved 5 vs. 1
    assert "vs. 4" in content
    datasets = response.context["received_chart"]["datasets"]
    assert [dataset["data"] for dataset in datasets] == [[0, 2, 0, 1, 1, 0, 1], [0, 1, 0, 1, 0, 0, 2]]


def test_the_previous_period_shortcut_keeps_the_filters(admin_client, week):
    response = admin_client.get(URL, {**WEEK, "tematica": week.soporte.pk})
    assert response.context["previous_period_query"] == (
        f"desde=01/03/2026&hasta=07/03/2026&comparar_desde=22/02/2026&comparar_hasta=28/02/2026&tematica={week.soporte.pk}"
    )


def test_filters_narrow_every_figure(admin_client, week):
    response = admin_client.get(URL, {**WEEK, "tematica": week.facturacion.pk, "operador": week.sofia.pk})
    summary = response.context["report"].summary
    # T3 and T4 received, T3 resolved, T4 and T7 open at the end.
    assert (summary.received.current, summary.resolved.current, summary.open_at_end.current) == (2, 1, 2)
    assert [row.name for row in response.context["report"].topics] == ["Facturación"]


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"desde": "31/02/2026", "hasta": "07/03/2026"}, "desde", "La fecha 31/02/2026 no existe"),
    ({"desde": "1 de marzo", "hasta": "07/03/2026"}, "desde", "Escribí la fecha como dd/mm/aaaa"),
    ({"desde": "08/03/2026", "hasta": "07/03/2026"}, "hasta", "La fecha final no puede ser anterior a la inicial."),
    ({"desde": "01/01/2020", "hasta": "07/03/2026"}, "hasta", "Elegí un rango de hasta tres años."),
    ({"desde": "01/03/2026"}, "hasta", "Completá la fecha final."),
    ({**WEEK, "comparar_desde": "22/02/2026"}, "comparar_hasta", "Completá también la fecha final para comparar."),
    ({**WEEK, "comparar_hasta": "28/02/2026"}, "comparar_desde", "Completá también la fecha inicial para comparar."),
    ({**WEEK, "tematica": "' OR 1=1 --"}, "tematica", "Elegí una temática de la lista."),
    ({**WEEK, "operador": "999999"}, "operador", "Elegí un operador de la lista."),
])
def test_bad_filters_are_explained_next_to_the_field(admin_client, query, field, message):
    response = admin_client.get(URL, query)
    assert response.status_code == 200
    assert "report" not in response.context
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    content = response.content.decode()
    assert f'id="id_{field}"' in content
    assert "is-invalid" in content
    assert "Revisá los campos marcados para ver el informe." in content


def test_unknown_parameters_are_ignored(admin_client):
    response = admin_client.get(URL, {**WEEK, "created_at__gte": "2020-01-01", "order_by": "password"})
    assert response.context["report"].summary.received.current == 5


def test_queries_do_not_grow_with_the_data(admin_client, week, django_assert_num_queries):
    # Session, user; topic and operator choices; per period, from the daily summary (reports.summary): 2 per-day
    # series, resolution (sums + median), backlog, per operator (+ names), per topic (3 with the backlog +
    # names), per priority (3); service quality (issue 15): first responses in all, per topic and per user (+
    # their medians and names only when there are any: none this week), SLA compliance (2, names only with rows);
    # time spent: in all, per user, per topic and per company (names only when it has rows) — one query of the
    # time summary (reports.summary.time_by).
    per_period = 19 + 1
    # Satisfaction: in all, per user, per topic and the distribution (each with its names only when it has rows)
    # per period — one query of the survey summary (reports.summary.surveys_by); the comments of the period.
    satisfaction = 2 * 1 + 1
    with django_assert_num_queries(4 + 2 * per_period + satisfaction) as captured:
        admin_client.get(URL, WITH_COMPARISON)
    before = len(captured)
    for day in range(1, 8):
        TicketFactory.create_batch(3, created_at=local(day, 3, 9), state=State.CLOSED, closed_at=local(day, 3, 18),
                                   closed_by=OperatorFactory())
    with django_assert_num_queries(before):
        admin_client.get(URL, WITH_COMPARISON)


def test_the_page_is_ready_for_a_strict_content_security_policy(admin_client):
    content = admin_client.get(URL, WITH_COMPARISON).content.decode()
    assert " style=" not in content and " onclick=" not in content
    assert content.count("<script") == content.count('<script src=') + content.count('type="application/json"')


@pytest.mark.parametrize(("hours", "minutes", "text"), [
    (0, 0, "0 min"), (0, 45, "45 min"), (5, 20, "5 h 20 min"), (23, 59, "23 h 59 min"), (24, 15, "1 día"),
    (24, 51, "1 día 1 h"), (52, 0, "2 días 4 h"), (72, 10, "3 días"),
])
def test_durations_read_in_days_and_hours(hours, minutes, text):
    from reports.templatetags.report_format import duration

    assert duration(timedelta(hours=hours, minutes=minutes)) == text
