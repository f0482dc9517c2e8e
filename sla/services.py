"""Changes to the working hours, the closed days and the SLA targets (administrators only, issue 15).

A change applies to the due times computed from then on (sla.clock); requests already filed keep theirs
until their topic or priority changes or their wait on the client ends.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from sla.models import ClosedDay, Target, WorkingDay


def _require_administrator(by):
    if not (getattr(by, "is_authenticated", False) and by.is_active and by.is_administrator):
        raise PermissionDenied


def set_schedule(*, by, hours):
    """Replace the working days with `hours`: {weekday (0 = Monday): (opens, closes)} (local times)."""
    _require_administrator(by)
    with transaction.atomic():
        WorkingDay.objects.exclude(weekday__in=list(hours)).delete()
        for weekday, (opens, closes) in hours.items():
            WorkingDay.objects.update_or_create(weekday=weekday, defaults={"opens": opens, "closes": closes})


def add_closed_day(*, by, date, name):
    """A day nobody works besides the national holidays; returns the ClosedDay."""
    _require_administrator(by)
    return ClosedDay.objects.create(date=date, name=name.strip())


def remove_closed_day(closed_day, *, by):
    _require_administrator(by)
    closed_day.delete()


def set_targets(*, by, targets):
    """Replace every target with `targets`: {(topic_id, priority): (first_response_hours, resolution_hours)}."""
    _require_administrator(by)
    with transaction.atomic():
        kept = []
        for (topic_id, priority), (first, resolution) in targets.items():
            target, _created = Target.objects.update_or_create(
                topic_id=topic_id, priority=priority,
                defaults={"first_response_hours": first, "resolution_hours": resolution})
            kept.append(target.pk)
        Target.objects.exclude(pk__in=kept).delete()
