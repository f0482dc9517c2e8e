"""Every table of the reports page as CSV or XLSX, from the same rows the page shows.

CSV is streamed row by row; XLSX is written by openpyxl's write-only mode to a temporary file that is
streamed and then removed. No row cap. Text that a spreadsheet would read as a formula (it starts
with =, +, -, @, a tab or a carriage return) is neutralised: a leading apostrophe in CSV, a cell
typed as text in XLSX.
"""

import csv
import tempfile
from datetime import date, timedelta
from typing import NamedTuple

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports import metrics, tables

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
CSV_DATE_FORMAT = "%d/%m/%Y"


class Table(NamedTuple):
    title: str
    headers: list
    rows: list  # lists of str, int, float, date or None


def hours(value):
    """A duration as a number of hours, the unit a spreadsheet can sum and average."""
    return None if value is None else round(value / timedelta(hours=1), 2)


def percent(value):
    return None if value is None else round(value, 1)


def cells(figure, as_number=lambda value: value):
    """The cells of one figure: its value and, with a comparison, the other value and the change."""
    if not figure.compared:
        return [as_number(figure.current)]
    return [as_number(figure.current), as_number(figure.previous), percent(figure.change)]


def figure_headers(name, comparison, unit=None):
    """Column titles of one figure: the value, and with a comparison the other value and the change."""
    if comparison is None:
        return [_("%(figure)s (%(unit)s)") % {"figure": name, "unit": unit} if unit else name]
    if unit:
        headers = [_("%(figure)s (%(unit)s)") % {"figure": name, "unit": unit},
                   _("%(figure)s (comparación, %(unit)s)") % {"figure": name, "unit": unit}]
    else:
        headers = [name, _("%(figure)s (comparación)") % {"figure": name}]
    return [*headers, _("Variación %(figure)s (%%)") % {"figure": name.lower()}]


def summary_table(tickets, period, comparison):
    report = tables.build_summary(tickets, period, comparison)
    headers = [_("Indicador"), _("Período")]
    if comparison is not None:
        headers += [_("Comparación"), _("Variación (%)")]
    rows = [
        [_("Solicitudes recibidas"), *cells(report.received)],
        [_("Solicitudes resueltas"), *cells(report.resolved)],
        [_("Tiempo promedio de resolución (horas)"), *cells(report.average, hours)],
        [_("Tiempo mediano de resolución (horas)"), *cells(report.median, hours)],
        [_("Abiertas al final del período"), *cells(report.open_at_end)],
    ]
    return Table(_("Resumen"), headers, rows)


def _day_table(title, count_header, current, previous):
    rows = tables.day_rows(current, previous)
    headers = [_("Día"), count_header]
    if previous is None:
        return Table(title, headers, [[row.day, row.count] for row in rows])
    headers += [_("Día (comparación)"), _("%(figure)s (comparación)") % {"figure": count_header}]
    return Table(title, headers, [[row.day, row.count, row.other_day, row.other_count] for row in rows])


def received_table(tickets, period, comparison):
    previous = metrics.received_per_day(tickets, comparison) if comparison else None
    return _day_table(_("Recibidas por día"), _("Recibidas"), metrics.received_per_day(tickets, period), previous)


def closed_table(tickets, period, comparison):
    previous = metrics.closed_per_day(tickets, comparison) if comparison else None
    return _day_table(_("Cerradas por día"), _("Cerradas"), metrics.closed_per_day(tickets, period), previous)


def operators_table(tickets, period, comparison):
    previous = metrics.resolved_per_operator(tickets, comparison) if comparison else None
    rows = tables.operator_rows(metrics.resolved_per_operator(tickets, period), previous)
    headers = [
        _("Usuario"), *figure_headers(_("Resueltas"), comparison),
        *figure_headers(_("Tiempo promedio de resolución"), comparison, _("horas")),
    ]
    return Table(
        _("Resueltas por operador"), headers,
        [[row.name, *cells(row.resolved), *cells(row.average, hours)] for row in rows],
    )


def topics_table(tickets, period, comparison):
    previous = metrics.per_topic(tickets, comparison) if comparison else None
    rows = tables.topic_rows(metrics.per_topic(tickets, period), previous)
    headers = [
        _("Temática"), *figure_headers(_("Recibidas"), comparison), *figure_headers(_("Resueltas"), comparison),
        *figure_headers(_("Tiempo promedio de resolución"), comparison, _("horas")),
        *figure_headers(_("Abiertas al final del período"), comparison),
    ]
    return Table(_("Por temática"), headers, [
        [row.name, *cells(row.received), *cells(row.resolved), *cells(row.average, hours), *cells(row.open_at_end)]
        for row in rows
    ])


# The URL names of the tables: only these can be exported.
TABLES = {
    "resumen": summary_table,
    "recibidas-por-dia": received_table,
    "cerradas-por-dia": closed_table,
    "por-operador": operators_table,
    "por-tematica": topics_table,
}


def neutralise(text):
    """Text a spreadsheet will show as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def filename(slug, period, comparison, extension):
    name = f"sysmo-{slug}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
    if comparison is not None:
        name += f"-vs-{comparison.first_day:%Y%m%d}-{comparison.last_day:%Y%m%d}"
    return f"{name}.{extension}"


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a generator."""

    def write(self, value):
        return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(CSV_DATE_FORMAT)
    if isinstance(value, str):
        return neutralise(value)
    return value


def csv_lines(table):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the byte-order mark tells spreadsheets the file is UTF-8 (accents, ñ)
    yield writer.writerow([_csv_value(value) for value in table.headers])
    for row in table.rows:
        yield writer.writerow([_csv_value(value) for value in row])


def csv_response(table, name):
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx_cell(sheet, value, bold=False):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl would store it as a formula
    elif isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
    elif isinstance(value, float):
        cell.number_format = "0.0#"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_file(table):
    """The table as an XLSX workbook in a temporary file, positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    for index, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(header) + 2, 45))
    sheet.append([_xlsx_cell(sheet, header, bold=True) for header in table.headers])
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    # FileResponse closes it after sending, and the system removes it then.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return file


def xlsx_response(table, name):
    return FileResponse(
        xlsx_file(table), as_attachment=True, filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export(slug, extension, tickets, period, comparison):
    """The download of one table: `slug` is a key of TABLES, `extension` one of FORMATS."""
    table = TABLES[slug](tickets, period, comparison)
    name = filename(slug, period, comparison, extension)
    if extension == "csv":
        return csv_response(table, name)
    return xlsx_response(table, name)
