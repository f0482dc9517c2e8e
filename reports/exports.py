"""Every table of the reports page as CSV or XLSX, from the same rows the page shows.

CSV is streamed row by row; XLSX is written by openpyxl's write-only mode to a temporary file that is
streamed and then removed. No row cap.

CSV is written for a spreadsheet set to the user's language (the page's, chosen by LocaleMiddleware and
the language switch), because Excel reads a CSV with the regional settings and nothing in the file can
tell it otherwise (a `sep=` line makes it ignore the UTF-8 byte-order mark, so accents break): where the
decimal separator is a comma (es-AR) fields are separated by `;`, else by `,`. Every text cell is
quoted, so neither separator nor a line break inside a name can start a new cell, whichever separator the
program that opens the file assumes.

Text that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab, a carriage return or a
line feed, also after leading spaces, or with their full-width forms) is neutralised: a leading apostrophe
in CSV, a cell typed as text (with Excel's "quote prefix", so editing it keeps it text) in XLSX. Numbers
are never text, so a negative number stays a number.
"""

import tempfile
from datetime import date, timedelta
from numbers import Number
from typing import NamedTuple

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import formats, numberformat, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports import metrics, satisfaction, service_quality, tables, time_spent

# OWASP's list for CSV injection, the line feed, and the full-width forms some spreadsheets also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FORMATS = ("csv", "xlsx")


class CsvStyle(NamedTuple):
    """How a spreadsheet set to one language reads a CSV file."""

    delimiter: str
    decimal: str
    date_format: str


def csv_style(language):
    """The CsvStyle for `language` (a code of settings.LANGUAGES).

    The decimal separator is Django's for that language. Excel's list separator follows it (Windows
    uses `;` wherever the decimal is a comma). Days: dd/mm/aaaa where the decimal is a comma (es-AR);
    otherwise ISO 8601 (aaaa-mm-dd), the one form every English spreadsheet reads as the same date
    (dd/mm in the UK, mm/dd in the US would swap day and month).
    """
    decimal = formats.get_format("DECIMAL_SEPARATOR", lang=language)
    if decimal == ",":
        return CsvStyle(delimiter=";", decimal=",", date_format="%d/%m/%Y")
    return CsvStyle(delimiter=",", decimal=".", date_format="%Y-%m-%d")


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


def _breakdown_table(title, name_header, rows, comparison):
    headers = [
        name_header, *figure_headers(_("Recibidas"), comparison), *figure_headers(_("Resueltas"), comparison),
        *figure_headers(_("Tiempo promedio de resolución"), comparison, _("horas")),
        *figure_headers(_("Abiertas al final del período"), comparison),
    ]
    return Table(title, headers, [
        [row.name, *cells(row.received), *cells(row.resolved), *cells(row.average, hours), *cells(row.open_at_end)]
        for row in rows
    ])


def topics_table(tickets, period, comparison):
    previous = metrics.per_topic(tickets, comparison) if comparison else None
    rows = tables.topic_rows(metrics.per_topic(tickets, period), previous)
    return _breakdown_table(_("Por temática"), _("Temática"), rows, comparison)


def priorities_table(tickets, period, comparison):
    previous = metrics.per_priority(tickets, comparison) if comparison else None
    rows = tables.priority_rows(metrics.per_priority(tickets, period), previous)
    return _breakdown_table(_("Por prioridad"), _("Prioridad"), rows, comparison)


# The URL names of the tables: only these can be exported.
TABLES = {
    "resumen": summary_table,
    "recibidas-por-dia": received_table,
    "cerradas-por-dia": closed_table,
    "por-operador": operators_table,
    "por-tematica": topics_table,
    "por-prioridad": priorities_table,
    # Service quality (issue 15): first response and SLA compliance, with their figures.
    **service_quality.TABLES,
    # Satisfaction (issue 15): the closing email's survey, with the comments.
    **satisfaction.TABLES,
    # Time spent (issue 15, item 5): in all, per user, per topic and per company.
    **time_spent.TABLES,
}


def looks_like_formula(text):
    """Whether a spreadsheet could run `text` as a formula: it starts with a formula sign, also after spaces."""
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def neutralise(text):
    """Text a spreadsheet will show as text, never run as a formula (the CSV rule: a leading apostrophe)."""
    return "'" + text if looks_like_formula(text) else text


def filename(slug, period, comparison, extension):
    name = f"sysmo-{slug}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
    if comparison is not None:
        name += f"-vs-{comparison.first_day:%Y%m%d}-{comparison.last_day:%Y%m%d}"
    return f"{name}.{extension}"


def csv_field(value, style):
    """One CSV cell: text always quoted (RFC 4180) and neutralised; numbers and days bare, in `style`.

    Python 3.11's csv module quotes a field only when it holds its own delimiter, so a name with the
    other separator would be split by a program that guesses the separator differently; quoting every
    text cell is the rule it cannot express (3.12's QUOTE_STRINGS will).
    """
    if value is None:
        return ""
    if type(value) is int:  # most cells of a long download; the formatter would give the same digits
        return str(value)
    if isinstance(value, str):
        return '"' + neutralise(value).replace('"', '""') + '"'
    if isinstance(value, date):
        return value.strftime(style.date_format)
    if isinstance(value, Number):
        return numberformat.format(value, style.decimal, use_l10n=False)  # no thousands separator
    raise TypeError(f"A report cell cannot hold {value!r}.")


CSV_LINES_PER_CHUNK = 500  # a chunk per line made the response's own overhead a third of a long download


def csv_lines(table, style):
    """The CSV's text in chunks of CSV_LINES_PER_CHUNK lines, after the byte-order mark."""
    yield "\ufeff"  # the byte-order mark tells spreadsheets the file is UTF-8 (accents, ñ)
    rows = [table.headers, *table.rows]
    for start in range(0, len(rows), CSV_LINES_PER_CHUNK):
        yield "".join(style.delimiter.join([csv_field(value, style) for value in row]) + "\r\n"
                      for row in rows[start:start + CSV_LINES_PER_CHUNK])


def csv_response(table, name, language):
    # The style is fixed now: the lines are written later, while the response streams.
    lines = csv_lines(table, csv_style(language))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _xlsx_cell(sheet, value, bold=False):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Always text: openpyxl would store "=…" as a formula and "#N/A" as an error.
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
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


def export(slug, extension, tickets, period, comparison, language=None):
    """The download of one table: `slug` is a key of TABLES, `extension` one of FORMATS.

    Headers and, for CSV, separators, decimals and days are in `language`, by default the active one
    (the page's: LocaleMiddleware).
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        table = TABLES[slug](tickets, period, comparison)
    name = filename(slug, period, comparison, extension)
    if extension == "csv":
        return csv_response(table, name, language)
    return xlsx_response(table, name)
