"""Downloads: every table as CSV and XLSX, the same numbers as the page, and no formulas from user text."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import OperatorFactory
from reports.exports import TABLES
from reports.tests.dataset import WEEK_QUERY, build_week, local
from tickets.models import State
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

WITH_COMPARISON = {**WEEK_QUERY, "comparar_desde": "22/02/2026", "comparar_hasta": "28/02/2026"}


@pytest.fixture
def week():
    return build_week()


@pytest.fixture
def admin_client(client, week):
    client.force_login(week.admin)
    return client


def download(client, table, extension, query):
    return client.get(reverse("reports:export", args=[table, extension]), query)


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


def test_received_per_day_as_csv(admin_client):
    response = download(admin_client, "recibidas-por-dia", "csv", WEEK_QUERY)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sysmo-recibidas-por-dia-20260301-20260307.csv"'
    assert read_csv(response) == [
        ["Día", "Recibidas"],
        ["01/03/2026", "0"], ["02/03/2026", "2"], ["03/03/2026", "0"], ["04/03/2026", "1"],
        ["05/03/2026", "1"], ["06/03/2026", "0"], ["07/03/2026", "1"],
    ]


def test_closed_per_day_with_comparison_as_csv(admin_client):
    rows = read_csv(download(admin_client, "cerradas-por-dia", "csv", WITH_COMPARISON))
    assert rows[0] == ["Día", "Cerradas", "Día (comparación)", "Cerradas (comparación)"]
    assert rows[1:] == [
        ["01/03/2026", "1", "22/02/2026", "0"], ["02/03/2026", "2", "23/02/2026", "0"],
        ["03/03/2026", "1", "24/02/2026", "1"], ["04/03/2026", "0", "25/02/2026", "0"],
        ["05/03/2026", "0", "26/02/2026", "0"], ["06/03/2026", "1", "27/02/2026", "0"],
        ["07/03/2026", "0", "28/02/2026", "0"],
    ]


def test_summary_with_comparison_as_csv(admin_client):
    assert read_csv(download(admin_client, "resumen", "csv", WITH_COMPARISON)) == [
        ["Indicador", "Período", "Comparación", "Variación (%)"],
        ["Solicitudes recibidas", "5", "4", "25.0"],
        ["Solicitudes resueltas", "5", "1", "400.0"],
        ["Tiempo promedio de resolución (horas)", "24.85", "24.0", "3.5"],
        ["Tiempo mediano de resolución (horas)", "24.25", "24.0", "1.0"],
        ["Abiertas al final del período", "3", "3", "0.0"],
    ]


def test_operators_as_csv(admin_client):
    assert read_csv(download(admin_client, "por-operador", "csv", WEEK_QUERY)) == [
        ["Usuario", "Resueltas", "Tiempo promedio de resolución (horas)"],
        ["Martín Gómez", "3", "13.42"],
        ["Laura Fernández", "1", "36.0"],
        ["Sofía Romero", "1", "48.0"],
    ]


def test_topics_with_comparison_as_xlsx(admin_client):
    response = download(admin_client, "por-tematica", "xlsx", WITH_COMPARISON)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        'attachment; filename="sysmo-por-tematica-20260301-20260307-vs-20260222-20260228.xlsx"'
    )
    sheet = read_xlsx(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Temática", "Recibidas", "Recibidas (comparación)", "Variación recibidas (%)",
        "Resueltas", "Resueltas (comparación)", "Variación resueltas (%)",
        "Tiempo promedio de resolución (horas)", "Tiempo promedio de resolución (comparación, horas)",
        "Variación tiempo promedio de resolución (%)",
        "Abiertas al final del período", "Abiertas al final del período (comparación)",
        "Variación abiertas al final del período (%)",
    )
    assert rows[1:] == [
        ("Soporte técnico", 3, 3, 0, 4, 1, 300, 19.06, 24, -20.6, 1, 2, -50),
        ("Facturación", 2, 1, 100, 1, 0, None, 48, None, None, 2, 1, 100),
    ]


def test_xlsx_days_are_dates(admin_client):
    sheet = read_xlsx(download(admin_client, "recibidas-por-dia", "xlsx", WEEK_QUERY))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Día", "Recibidas")
    assert [(day.strftime("%d/%m/%Y"), count) for day, count in rows[1:3]] == [("01/03/2026", 0), ("02/03/2026", 2)]
    assert sheet["A2"].number_format == "DD/MM/YYYY"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("table", TABLES)
def test_every_table_downloads(admin_client, table, extension):
    response = download(admin_client, table, extension, WITH_COMPARISON)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{extension}"')


DANGEROUS = ['=HYPERLINK("http://example.com","Clic")', "+54 11 cmd", "-2+3", "@SUM(A1:A9)"]


@pytest.fixture
def dangerous_names(week):
    for index, name in enumerate(DANGEROUS):
        topic = TopicFactory(name=name)
        operator = OperatorFactory(full_name=name)
        TicketFactory(topic=topic, state=State.CLOSED, created_at=local(2, 3, 9 + index),
                      closed_at=local(2, 3, 12 + index), closed_by=operator)


@pytest.mark.parametrize("table", ["por-operador", "por-tematica"])
def test_csv_neutralises_formulas(admin_client, dangerous_names, table):
    names = {row[0] for row in read_csv(download(admin_client, table, "csv", WEEK_QUERY))[1:]}
    assert {"'" + name for name in DANGEROUS} <= names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


@pytest.mark.parametrize("table", ["por-operador", "por-tematica"])
def test_xlsx_writes_formulas_as_text(admin_client, dangerous_names, table):
    sheet = read_xlsx(download(admin_client, table, "xlsx", WEEK_QUERY))
    cells = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    assert set(DANGEROUS) <= set(cells)
    assert all(cells[name].data_type == "s" for name in DANGEROUS)  # text, never a formula ("f")


def test_no_row_cap(admin_client):
    # A year of days, each one a row, all of them in the file.
    rows = read_csv(download(admin_client, "recibidas-por-dia", "csv", {"desde": "01/01/2025", "hasta": "31/12/2025"}))
    assert len(rows) == 1 + 365


def test_a_bad_link_goes_back_to_the_page_with_the_message(admin_client):
    query = {"desde": "32/01/2026", "hasta": "07/03/2026"}
    response = download(admin_client, "resumen", "csv", query)
    assert response.status_code == 302
    follow = admin_client.get(response["Location"])
    assert "Escribí la fecha como dd/mm/aaaa" in follow.content.decode()


@pytest.mark.parametrize(("table", "extension"), [("usuarios", "csv"), ("resumen", "pdf"), ("resumen", "xls")])
def test_only_known_tables_and_formats(admin_client, table, extension):
    assert download(admin_client, table, extension, WEEK_QUERY).status_code == 404
