"""The extremes every date input of every page is walked with (tickets' trays, reports and their downloads)."""

import re
from datetime import date

from django.utils.html import escape

OUT_OF_RANGE = "Escribí una fecha entre 01/01/2000 y 31/12/2099."
FORMAT = "Escribí la fecha como dd/mm/aaaa, por ejemplo 31/03/2026."

# What a user (or a hand-edited link) may type → the day it means, or the message shown next to the field.
EXTREMES = {
    "01/01/0001": OUT_OF_RANGE,
    "0001-01-01": OUT_OF_RANGE,
    "01/01/9999": OUT_OF_RANGE,
    "31/12/9999": OUT_OF_RANGE,
    "9999-12-31": OUT_OF_RANGE,
    "00/00/0000": OUT_OF_RANGE,
    "01/01/99999": OUT_OF_RANGE,
    "31/12/1999": OUT_OF_RANGE,
    "01/01/2100": OUT_OF_RANGE,
    "29/02/2025": "La fecha 29/02/2025 no existe: revisá el día y el mes.",
    "31/02/2026": "La fecha 31/02/2026 no existe: revisá el día y el mes.",
    "99999999999": FORMAT,
    "-1": FORMAT,
    "01/01/2000": date(2000, 1, 1),
    "31/12/2099": date(2099, 12, 31),
    "29/02/2024": date(2024, 2, 29),
    "2099-12-31": date(2099, 12, 31),
    "010100": FORMAT,
    "01012000": date(2000, 1, 1),
}
INVALID = {typed: message for typed, message in EXTREMES.items() if isinstance(message, str)}
VALID = {typed: day for typed, day in EXTREMES.items() if isinstance(day, date)}

_DATE_INPUT = re.compile(r'<input\b[^>]*\btype="date"[^>]*>')
_NAME = re.compile(r'\bname="([^"]+)"')
_NEXT_CONTROL = re.compile(r"<(input|select|textarea|button)\b")


def date_inputs(html):
    """The names of the date inputs of a page, in page order."""
    return [_NAME.search(tag).group(1) for tag in _DATE_INPUT.findall(html)]


def assert_message_next_to_field(html, name, message):
    """The message is shown after the field's input and before the next control of the form."""
    tag = re.search(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert tag, f"no input {name}"
    rest = html[tag.end():]
    following = _NEXT_CONTROL.search(rest)
    assert escape(message) in rest[: following.start() if following else None], (name, message)
