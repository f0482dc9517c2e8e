"""Downloads: every table as CSV and XLSX, the same numbers as the page, in the user's language, and no
formulas from user text."""

import csv
import io
import re
from datetime import date

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.tests.factories import OperatorFactory
from reports import metrics, summary
from reports.exports import TABLES
from reports.forms import ReportForm
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


def csv_text(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # the byte-order mark: Excel reads the file as UTF-8
    assert not text[1:].lower().startswith("sep=")  # it would make Excel ignore the mark
    return text[1:]


def read_csv(response, delimiter=";"):
    return list(csv.reader(io.StringIO(csv_text(response), newline=""), delimiter=delimiter))


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
        ["Solicitudes recibidas", "5", "4", "25,0"],
        ["Solicitudes resueltas", "5", "1", "400,0"],
        ["Tiempo promedio de resolución (horas)", "24,85", "24,0", "3,5"],
        ["Tiempo mediano de resolución (horas)", "24,25", "24,0", "1,0"],
        ["Abiertas al final del período", "3", "3", "0,0"],
    ]


def test_operators_as_csv(admin_client):
    # What Excel in Spanish (Argentina) reads as three cells per row, the hours as numbers.
    assert csv_text(download(admin_client, "por-operador", "csv", WEEK_QUERY)).splitlines() == [
        '"Usuario";"Resueltas";"Tiempo promedio de resolución (horas)"',
        '"Martín Gómez";3;13,42',
        '"Laura Fernández";1;36,0',
        '"Sofía Romero";1;48,0',
    ]


def test_priorities_as_csv(admin_client):
    # Every priority, Urgente first; the week has only Normal requests.
    assert csv_text(download(admin_client, "por-prioridad", "csv", WEEK_QUERY)).splitlines() == [
        '"Prioridad";"Recibidas";"Resueltas";"Tiempo promedio de resolución (horas)";'
        '"Abiertas al final del período"',
        '"Urgente";0;0;;0',
        '"Alta";0;0;;0',
        '"Normal";5;5;24,85;3',
        '"Baja";0;0;;0',
    ]


def test_operators_as_csv_in_english(admin_client):
    use_language(admin_client, "en")
    response = download(admin_client, "por-operador", "csv", WEEK_QUERY)
    assert response["Content-Language"] == "en"
    assert csv_text(response).splitlines() == [
        '"User","Resolved","Average resolution time (hours)"',
        '"Martín Gómez",3,13.42',
        '"Laura Fernández",1,36.0',
        '"Sofía Romero",1,48.0',
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


def test_without_the_switch_the_browser_language_decides(admin_client):
    # As the page: LocaleMiddleware reads the switch's cookie, else the browser's Accept-Language.
    response = admin_client.get(reverse("reports:export", args=["resumen", "csv"]), WITH_COMPARISON,
                                HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert read_csv(response, delimiter=",")[1] == ["Requests received", "5", "4", "25.0"]


# Names a user may give a topic or themselves, each a way to break a cell or run a formula.
TRICKY_NAMES = [
    '=HYPERLINK("http://example.com","Clic")', "+54 11 cmd", "-2+3", "@SUM(A1:A9)",
    "  =1+1", "\t=1+1", "\r=1+1", "\n=1+1", "\uff1dSUMA(1;2)",  # after spaces, tabs, breaks; full-width =
    "Gómez; =1+1", "Gómez, =1+1", "Gómez;-1", 'Juan "el jefe" Pérez', 'Comillas ";=1+1', "Línea uno\n=1+1",
    "Rodríguez;Asociados, S.A.", "#N/A", "Campana\x07",
]
# What a spreadsheet may run as a formula, written here apart from the code under test.
FORMULA_SIGNS = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def runs_as_formula(text):
    return text.startswith(FORMULA_SIGNS) or text.lstrip().startswith(FORMULA_SIGNS)


LANGUAGES = {
    # language: (separator, decimal comma or point, how a day is written)
    "es-ar": (";", re.compile(r"-?\d+(,\d+)?"), "%d/%m/%Y"),
    "en": (",", re.compile(r"-?\d+(\.\d+)?"), "%Y-%m-%d"),
}


@pytest.fixture
def tricky_names(week):
    for index, name in enumerate(TRICKY_NAMES):
        topic = TopicFactory(name=name)
        operator = OperatorFactory(full_name=name)
        TicketFactory(topic=topic, state=State.CLOSED, created_at=local(2, 3, 9),
                      closed_at=local(2, 3, 10 + index % 10), closed_by=operator)
    summary.rebuild()  # written around the services


def use_language(client, language):
    """The language switch on every page."""
    client.post(reverse("set_language"), {"language": language, "next": "/"})


def expected_table(week, slug, query, language):
    form = ReportForm(query)
    assert form.is_valid()
    with translation.override(language):
        return TABLES[slug](metrics.requests_for(week.admin, **form.filters), form.period, form.comparison)


def as_number(cell, language):
    """The number a spreadsheet in `language` reads from a CSV cell; fails if it would read text."""
    assert LANGUAGES[language][1].fullmatch(cell), f"{cell!r} is not a number in {language}"
    return float(cell.replace(",", "."))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("table", TABLES)
def test_every_csv_in_each_language(admin_client, week, tricky_names, table, language):
    use_language(admin_client, language)
    response = download(admin_client, table, "csv", WITH_COMPARISON)
    assert response["Content-Language"] == language
    separator, _, day_format = LANGUAGES[language]
    rows = read_csv(response, delimiter=separator)
    expected = expected_table(week, table, WITH_COMPARISON, language)
    assert len(rows) == 1 + len(expected.rows)
    for row, values in zip(rows, [expected.headers, *expected.rows], strict=True):
        assert len(row) == len(values)  # no name split into more cells
        for cell, value in zip(row, values, strict=True):
            if value is None:
                assert cell == ""
            elif isinstance(value, str):
                assert not runs_as_formula(cell)
                assert cell == ("'" + value if runs_as_formula(value) else value)
            elif isinstance(value, date):
                assert cell == value.strftime(day_format)
            else:
                assert as_number(cell, language) == pytest.approx(value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_names_and_negative_numbers_in_csv(admin_client, tricky_names, language):
    use_language(admin_client, language)
    separator = LANGUAGES[language][0]
    rows = read_csv(download(admin_client, "por-tematica", "csv", WITH_COMPARISON), delimiter=separator)
    names = {row[0] for row in rows[1:]}
    assert {"'" + name if runs_as_formula(name) else name for name in TRICKY_NAMES} <= names
    assert "'Gómez; =1+1" not in names and "Gómez; =1+1" in names  # a name with ; is one quoted cell
    soporte = next(row for row in rows if row[0] == "Soporte técnico")
    assert [as_number(cell, language) for cell in soporte[-4:]] == [-20.6, 1, 2, -50]  # still numbers


@pytest.mark.parametrize(("language", "other_separator"), [("es-ar", ","), ("en", ";")])
@pytest.mark.parametrize("table", ["por-operador", "por-tematica"])
def test_no_cell_starts_a_formula_whatever_the_separator(admin_client, tricky_names, table, language,
                                                         other_separator):
    # A program that assumes the other separator still honours the quotes, so no name becomes a formula.
    use_language(admin_client, language)
    for row in read_csv(download(admin_client, table, "csv", WITH_COMPARISON), delimiter=other_separator):
        for cell in row:
            assert not runs_as_formula(cell) or LANGUAGES["es-ar"][1].fullmatch(cell) \
                or LANGUAGES["en"][1].fullmatch(cell), cell


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("table", TABLES)
def test_every_xlsx_keeps_numbers_days_and_text(admin_client, week, tricky_names, table, language):
    use_language(admin_client, language)
    sheet = read_xlsx(download(admin_client, table, "xlsx", WITH_COMPARISON))
    expected = expected_table(week, table, WITH_COMPARISON, language)
    rows = list(sheet.iter_rows())
    assert len(rows) == 1 + len(expected.rows)
    for row, values in zip(rows, [expected.headers, *expected.rows], strict=True):
        for cell, value in zip(row, values, strict=True):
            if isinstance(value, str):
                assert cell.data_type == "s"  # text, never a formula ("f") or an error ("e")
                # XML cannot hold control characters, and reads a carriage return as a line feed.
                assert cell.value == value.replace("\x07", "").replace("\r", "\n")
                assert cell.quotePrefix == runs_as_formula(value)  # editing the cell keeps it text
            elif isinstance(value, date):
                assert cell.value.date() == value and cell.number_format == "DD/MM/YYYY"
            elif value is not None:
                assert cell.data_type == "n" and cell.value == pytest.approx(value)


def test_xlsx_negative_numbers_are_numbers(admin_client, tricky_names):
    sheet = read_xlsx(download(admin_client, "por-tematica", "xlsx", WITH_COMPARISON))
    soporte = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Soporte técnico")
    assert soporte[-4:] == (-20.6, 1, 2, -50)


def test_no_row_cap(admin_client):
    # A year of days, each one a row, all of them in the file.
    rows = read_csv(download(admin_client, "recibidas-por-dia", "csv", {"desde": "01/01/2025", "hasta": "31/12/2025"}))
    assert len(rows) == 1 + 365


def test_a_bad_link_goes_back_to_the_page_with_the_message(admin_client):
    query = {"desde": "32/01/2026", "hasta": "07/03/2026"}
    response = download(admin_client, "resumen", "csv", query)
    assert response.status_code == 302
    follow = admin_client.get(response["Location"])
    assert "La fecha 32/01/2026 no existe" in follow.content.decode()


@pytest.mark.parametrize(("table", "extension"), [("usuarios", "csv"), ("resumen", "pdf"), ("resumen", "xls")])
def test_only_known_tables_and_formats(admin_client, table, extension):
    assert download(admin_client, table, extension, WEEK_QUERY).status_code == 404
