"""The one field for a typed day (accounts.dates): the forms it accepts and what it says about the rest."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.dates import DayField, DayInput, parse_day


@pytest.mark.parametrize(("typed", "day"), [
    ("17/11/2026", date(2026, 11, 17)),
    ("1/3/2026", date(2026, 3, 1)),
    (" 17/11/2026 ", date(2026, 11, 17)),
    ("17112026", date(2026, 11, 17)),  # a phone's numeric keypad has no "/"
    ("17-11-2026", date(2026, 11, 17)),
    ("17.11.2026", date(2026, 11, 17)),
    ("17/11/26", date(2026, 11, 17)),
    ("01/01/00", date(2000, 1, 1)),
    ("31/12/99", date(2099, 12, 31)),
    ("2026-11-17", date(2026, 11, 17)),  # the browser's date picker
    ("１７/１１/２０２６", date(2026, 11, 17)),  # full-width digits (a Japanese or Chinese keyboard)
    ("29/02/2024", date(2024, 2, 29)),
    ("01/01/2000", date(2000, 1, 1)),
    ("31/12/2099", date(2099, 12, 31)),
])
def test_accepted_forms(typed, day):
    assert parse_day(typed) == day
    assert DayField().clean(typed) == day


@pytest.mark.parametrize(("typed", "code", "message"), [
    ("31/02/2026", "nonexistent", "La fecha 31/02/2026 no existe: revisá el día y el mes."),
    ("29/02/2025", "nonexistent", "La fecha 29/02/2025 no existe"),
    ("31042026", "nonexistent", "La fecha 31/04/2026 no existe"),
    ("2026-02-30", "nonexistent", "La fecha 30/02/2026 no existe"),
    ("00/01/2026", "nonexistent", "La fecha 00/01/2026 no existe"),
    ("01/13/2026", "nonexistent", "La fecha 01/13/2026 no existe"),
    ("99/99/2026", "nonexistent", "La fecha 99/99/2026 no existe"),
    ("01/01/0001", "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("0001-01-01", "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("31/12/9999", "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("9999-12-31", "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("31/12/1999", "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("01/01/2100", "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("99/99/99999", "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("01/01/" + "9" * 40, "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("31/02/0000", "out_of_range", "Escribí una fecha entre 01/01/2000 y 31/12/2099."),
    ("1/1/1", "invalid", "Escribí la fecha como dd/mm/aaaa, por ejemplo 31/03/2026."),
    ("17/11/202", "invalid", "Escribí la fecha como dd/mm/aaaa"),
    ("17/11-2026", "invalid", "Escribí la fecha como dd/mm/aaaa"),
    ("1711202", "invalid", "Escribí la fecha como dd/mm/aaaa"),
    ("2026/11/17", "invalid", "Escribí la fecha como dd/mm/aaaa"),
    ("hoy", "invalid", "Escribí la fecha como dd/mm/aaaa"),
    ("-1", "invalid", "Escribí la fecha como dd/mm/aaaa"),
])
def test_refused_with_the_reason(typed, code, message):
    with pytest.raises(ValidationError) as refused:
        DayField().clean(typed)
    assert refused.value.code == code
    assert message in refused.value.messages[0]


def test_an_empty_optional_day_is_none_and_a_required_one_says_so():
    assert DayField(required=False).clean("") is None
    with pytest.raises(ValidationError) as refused:
        DayField(error_messages={"required": "Completá la fecha."}).clean("  ")
    assert refused.value.messages == ["Completá la fecha."]


@pytest.mark.parametrize(("value", "shown"), [
    ("17/11/2026", "2026-11-17"), ("17112026", "2026-11-17"), ("2026-11-17", "2026-11-17"),
    (date(2026, 11, 17), "2026-11-17"), ("31/02/2026", "31/02/2026"), (None, None),
])
def test_the_picker_gets_what_the_url_had_as_aaaa_mm_dd(value, shown):
    widget = DayInput()
    assert widget.format_value(value) == shown
    html = widget.render("desde", value)
    assert 'type="date"' in html and 'min="2000-01-01"' in html and 'max="2099-12-31"' in html
