"""CSV cells and lines: every kind of value in both languages' styles, and a long download cut in chunks
whose joined text is the file, line by line, in order."""

from datetime import date
from decimal import Decimal

import pytest

from reports.exports import CSV_LINES_PER_CHUNK, Table, csv_field, csv_lines, csv_style

SPANISH, ENGLISH = csv_style("es-ar"), csv_style("en")


@pytest.mark.parametrize(("value", "spanish", "english"), [
    (None, "", ""),
    (0, "0", "0"),
    (-42, "-42", "-42"),
    (1234567, "1234567", "1234567"),  # never a thousands separator: a spreadsheet would read a decimal
    (Decimal("1234.50"), "1234,50", "1234.50"),
    (2.5, "2,5", "2.5"),
    (date(2026, 3, 9), "09/03/2026", "2026-03-09"),
    ("Pérez; Ana", '"Pérez; Ana"', '"Pérez; Ana"'),
    ('Dijo "hola"', '"Dijo ""hola"""', '"Dijo ""hola"""'),
    ("=HYPERLINK(1)", "\"'=HYPERLINK(1)\"", "\"'=HYPERLINK(1)\""),
    ("  +54 11", "\"'  +54 11\"", "\"'  +54 11\""),
])
def test_a_cell_reads_the_same_in_the_style_of_each_language(value, spanish, english):
    assert (csv_field(value, SPANISH), csv_field(value, ENGLISH)) == (spanish, english)


def test_a_cell_of_another_kind_is_refused():
    with pytest.raises(TypeError):
        csv_field(object(), SPANISH)


@pytest.mark.parametrize("rows", [0, 1, CSV_LINES_PER_CHUNK - 1, CSV_LINES_PER_CHUNK, 2 * CSV_LINES_PER_CHUNK + 7])
def test_a_long_download_is_every_line_once_in_order(rows):
    table = Table("Comentarios", ["Solicitud", "Comentario"], [[number, f"texto {number}"] for number in range(rows)])
    text = "".join(csv_lines(table, SPANISH))
    assert text.startswith("\ufeff")
    lines = text[1:].split("\r\n")
    assert lines == ['"Solicitud";"Comentario"', *[f'{n};"texto {n}"' for n in range(rows)], ""]
