"""The one field for a day a user types: tray filters, reports and their downloads all use `DayField`.

It lives here, in the lowest app the pages import (reports → tickets → topics → accounts), so there is one
spelling of it. What it accepts, in any language of the page:

- dd/mm/aaaa, with `/`, `-` or `.` between the parts and one-digit days and months (1/3/2026);
- dd/mm/aa, a two-digit year being 20aa (the range below holds no other century);
- ddmmaaaa, eight digits, as a phone's numeric keypad without "/" types it;
- aaaa-mm-dd, what the browser's date picker (`<input type="date">`) sends.

A day must fall between EARLIEST and LATEST (01/01/2000 to 31/12/2099): no helpdesk request is older than
this product's oldest data, and a bound this far from the edges of Python's dates keeps every computation
made from a day (the day after, the previous period of a report — at most three years back —, local
midnights) far from an overflow. The bounds do not move with today, so a saved link stays valid.

An error says what is wrong: the format, a day that does not exist (31/02/2026), or the range.
"""

import calendar
import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE_FORMAT = "%d/%m/%Y"  # how a day is written back: in links, chips and messages
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)

_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{2}|\d{4,})")
_DIGITS = re.compile(r"(?P<day>\d{2})(?P<month>\d{2})(?P<year>\d{4})")
_ISO = re.compile(r"(?P<year>\d{4,})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")


def parse_day(text):
    """The date written in `text` (see the module's docstring for the forms accepted).

    Raises ValidationError with code `invalid` (not a date's shape), `nonexistent` (31/02/2026, 13/13/2026)
    or `out_of_range` (before EARLIEST or after LATEST). Never builds a date outside the range.
    """
    text = str(text).strip()
    match = _DAY_FIRST.fullmatch(text) or _DIGITS.fullmatch(text) or _ISO.fullmatch(text)
    if match is None:
        raise ValidationError(_("Escribí la fecha como dd/mm/aaaa, por ejemplo 31/03/2026."), code="invalid")
    day, month, year = (int(match.group(part)) for part in ("day", "month", "year"))
    if len(match.group("year")) == 2:
        year += 2000
    if not EARLIEST.year <= year <= LATEST.year:
        raise out_of_range()
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValidationError(
            _("La fecha %(date)s no existe: revisá el día y el mes.")
            % {"date": f"{day:02d}/{month:02d}/{year:04d}"},
            code="nonexistent",
        )
    return date(year, month, day)


def out_of_range():
    return ValidationError(
        _("Escribí una fecha entre %(first)s y %(last)s.")
        % {"first": EARLIEST.strftime(DATE_FORMAT), "last": LATEST.strftime(DATE_FORMAT)},
        code="out_of_range",
    )


def in_range(day):
    """Whether a day computed from typed ones (a report's previous period) is still one DayField accepts."""
    return EARLIEST <= day <= LATEST


class DayInput(forms.DateInput):
    """The browser's date picker where there is one (a text box where not); its value is aaaa-mm-dd."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"min": EARLIEST.isoformat(), "max": LATEST.isoformat(), **(attrs or {})},
                         format="%Y-%m-%d")

    def format_value(self, value):
        # What the URL had, shown in the picker: any accepted form becomes aaaa-mm-dd; what does not parse
        # stays as typed (the browser then shows an empty picker, and the message says what was wrong).
        if isinstance(value, str):
            try:
                return parse_day(value).isoformat()
            except ValidationError:
                return value
        return super().format_value(value)


class DayField(forms.DateField):
    """A day typed by a user, checked against the range; see the module's docstring."""

    widget = DayInput

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        return parse_day(value)
