"""Business time: the organisation's working hours (sla.models.WorkingDay, Buenos Aires time), minus
Argentina's national holidays (the `holidays` library, country AR: fixed, movable and bridge days) and the
days the administrators closed (sla.models.ClosedDay). Issue 15, "Business hours".

Two questions, both in whole minutes: `business_minutes(start, end)` and `add_business_minutes(start, n)`.
Each takes an optional `schedule` (current_schedule()) so a loop over many requests reads the tables once.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")
# A schedule with working days always finds one within a few weeks; more than this means none is left.
_SEARCH_DAYS = 3 * 366


class NoBusinessHours(ValueError):
    """The schedule has no working day at all (or none in the next three years)."""


@dataclass(frozen=True)
class Schedule:
    """`hours`: weekday (0 = Monday) → (opens, closes), local times; `closed`: the administrators' days."""

    hours: dict = field(default_factory=dict)
    closed: frozenset = frozenset()

    def window(self, day):
        """(opens, closes) as aware datetimes for the local `day`, or None when it is not worked."""
        hours = self.hours.get(day.weekday())
        if hours is None or day in self.closed or is_holiday(day):
            return None
        opens, closes = hours
        return (datetime.combine(day, opens, BUENOS_AIRES), datetime.combine(day, closes, BUENOS_AIRES))


@lru_cache(maxsize=64)
def _national_holidays(year):
    return holidays.country_holidays("AR", years=year, language="es")


def is_holiday(day):
    """Whether `day` (a date) is a national holiday in Argentina (the holidays library, movable ones included)."""
    return day in _national_holidays(day.year)


def holiday_name(day):
    """The holiday's Spanish name, or "" when `day` is not one."""
    return _national_holidays(day.year).get(day, "")


def current_schedule():
    """The Schedule as the administrators left it (two queries)."""
    from sla.models import ClosedDay, WorkingDay

    return Schedule(
        hours={row.weekday: (row.opens, row.closes) for row in WorkingDay.objects.all()},
        closed=frozenset(ClosedDay.objects.values_list("date", flat=True)),
    )


def _local_day(instant):
    return instant.astimezone(BUENOS_AIRES).date()


def business_minutes(start, end, *, schedule=None):
    """Whole minutes of business time between two aware datetimes `start` and `end` (0 when end <= start).

    Seconds are summed over the working windows between them and then rounded down to a minute.
    """
    if end <= start:
        return 0
    schedule = schedule or current_schedule()
    seconds = 0.0
    day, last = _local_day(start), _local_day(end)
    while day <= last:
        window = schedule.window(day)
        if window is not None:
            opens, closes = window
            seconds += max(0.0, (min(end, closes) - max(start, opens)).total_seconds())
        day += timedelta(days=1)
    return int(seconds // 60)


def add_business_minutes(start, minutes, *, schedule=None):
    """The aware datetime `minutes` (int ≥ 0) business minutes after the aware datetime `start`.

    An instant outside hours counts from the next opening; 0 minutes from outside hours is that opening.
    A deadline that ends exactly at closing time is that closing time, not the next opening.
    Raises NoBusinessHours when the schedule has no working day.
    """
    if minutes < 0:
        raise ValueError("minutes must be >= 0")
    schedule = schedule or current_schedule()
    remaining = timedelta(minutes=minutes)
    day = _local_day(start)
    for _step in range(_SEARCH_DAYS):
        window = schedule.window(day)
        if window is not None:
            opens, closes = window
            begin = max(start, opens)
            if begin < closes or (begin == closes and not remaining):
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)
    raise NoBusinessHours("no working day in the schedule")


def today_local():
    """Today's date in Buenos Aires."""
    from django.utils import timezone

    return _local_day(timezone.now())

