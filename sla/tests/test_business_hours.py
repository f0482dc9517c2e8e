"""Business time across weekends, national holidays, the administrators' closed days, the end of a year and
instants outside hours (issue 15). Answers worked out by hand against a Monday–Friday 9–18 schedule
(540 minutes a day) and Argentina's 2026 calendar: Monday 25/5 and Monday 15/6 are holidays, as are
Friday 25/12 and Friday 1/1/2027."""

from datetime import datetime, time

import pytest

from sla.business_hours import (
    BUENOS_AIRES,
    NoBusinessHours,
    Schedule,
    add_business_minutes,
    business_minutes,
    current_schedule,
    is_holiday,
)
from sla.models import ClosedDay, WorkingDay

OFFICE = Schedule(hours={day: (time(9), time(18)) for day in range(5)})


def at(text):
    """'2026-06-12 17:30' in Buenos Aires."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BUENOS_AIRES)


def parse(text):
    """Like at(), with seconds when given."""
    if text.count(":") == 2:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BUENOS_AIRES)
    return at(text)


BETWEEN = [
    # (start, end, minutes, why)
    ("2026-06-08 10:00", "2026-06-08 11:30", 90, "within one day"),
    ("2026-06-12 17:30", "2026-06-16 09:30", 60, "Friday evening, weekend, holiday Monday, Tuesday morning"),
    ("2026-06-13 10:00", "2026-06-13 14:00", 0, "a Saturday"),
    ("2026-06-15 10:00", "2026-06-15 14:00", 0, "a holiday Monday (Güemes, moved)"),
    ("2026-06-10 07:00", "2026-06-10 10:00", 60, "filed before opening"),
    ("2026-06-10 20:00", "2026-06-11 09:15", 15, "filed after closing"),
    ("2026-12-31 17:00", "2027-01-04 10:00", 120, "the end of the year: 1/1 holiday, then the weekend"),
    ("2026-12-24 17:00", "2026-12-28 09:00", 60, "Christmas Friday"),
    ("2026-06-01 09:00", "2026-06-08 09:00", 2700, "a whole week"),
    ("2026-06-10 12:00", "2026-06-10 11:00", 0, "end before start"),
    ("2026-06-10 12:00:30", "2026-06-10 12:01", 0, "less than a minute rounds down"),
]


@pytest.mark.parametrize("start, end, minutes, why", BETWEEN, ids=[case[3] for case in BETWEEN])
def test_business_minutes_between_two_instants(start, end, minutes, why):
    assert business_minutes(parse(start), parse(end), schedule=OFFICE) == minutes


AFTER = [
    # (start, minutes, answer, why)
    ("2026-06-12 17:30", 60, "2026-06-16 09:30", "Friday 17:30 before a holiday Monday"),
    ("2026-06-13 10:00", 0, "2026-06-16 09:00", "from a Saturday before a holiday Monday: the next opening"),
    ("2026-06-10 07:00", 30, "2026-06-10 09:30", "before opening"),
    ("2026-06-10 17:00", 60, "2026-06-10 18:00", "ends exactly at closing time"),
    ("2026-06-10 17:00", 61, "2026-06-11 09:01", "one minute past closing goes to the next morning"),
    ("2026-12-31 17:00", 120, "2027-01-04 10:00", "over the new year"),
    ("2026-06-01 09:00", 2700, "2026-06-05 18:00", "five working days"),
    ("2026-05-25 10:00", 30, "2026-05-26 09:30", "from a holiday (25 de Mayo)"),
    ("2026-06-10 22:00", 540, "2026-06-11 18:00", "a business day from the night before"),
]


@pytest.mark.parametrize("start, minutes, answer, why", AFTER, ids=[case[3] for case in AFTER])
def test_the_instant_n_business_minutes_later(start, minutes, answer, why):
    due = add_business_minutes(at(start), minutes, schedule=OFFICE)
    assert due == at(answer)
    assert business_minutes(at(start), due, schedule=OFFICE) == minutes


def test_a_day_the_administrators_closed_is_not_worked():
    bridge = Schedule(hours=OFFICE.hours, closed=frozenset({at("2026-06-16 00:00").date()}))
    assert business_minutes(at("2026-06-12 17:30"), at("2026-06-17 09:30"), schedule=bridge) == 60
    assert add_business_minutes(at("2026-06-12 17:30"), 60, schedule=bridge) == at("2026-06-17 09:30")


def test_the_library_knows_movable_holidays():
    assert is_holiday(at("2026-06-15 00:00").date())  # Güemes, moved to Monday
    assert is_holiday(at("2026-02-16 00:00").date())  # Carnaval
    assert not is_holiday(at("2026-06-12 00:00").date())


def test_a_schedule_without_working_days_is_refused():
    with pytest.raises(NoBusinessHours):
        add_business_minutes(at("2026-06-10 10:00"), 60, schedule=Schedule())
    with pytest.raises(ValueError):
        add_business_minutes(at("2026-06-10 10:00"), -1, schedule=OFFICE)


def test_the_stored_schedule_is_monday_to_friday_nine_to_six_until_changed(db):
    assert current_schedule().hours == OFFICE.hours
    WorkingDay.objects.create(weekday=5, opens=time(9), closes=time(13))
    ClosedDay.objects.create(date=at("2026-06-16 00:00").date(), name="Puente")
    schedule = current_schedule()
    assert business_minutes(at("2026-06-12 17:30"), at("2026-06-17 09:30"), schedule=schedule) == 30 + 240 + 30
