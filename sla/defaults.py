"""The usual office week (Monday to Friday, 9 to 18), present whenever the working hours are empty.

The schedule form refuses a week without working days, so an empty table only means a database that has
just been created or flushed (a transactional test, `manage.py flush`). Like django.contrib.sites' default
site, the week is written after every `migrate`/`flush` (post_migrate), not only by migration 0002.
"""

from datetime import time

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, router

OFFICE_HOURS = (time(9), time(18))
WEEKDAYS = range(5)


def create_default_week(app_config, verbosity=2, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """post_migrate receiver: write Monday–Friday 9–18 when `using` has no working day. Returns nothing."""
    try:
        WorkingDay = apps.get_model("sla", "WorkingDay")
    except LookupError:
        return
    if not router.allow_migrate_model(using, WorkingDay) or WorkingDay.objects.using(using).exists():
        return
    opens, closes = OFFICE_HOURS
    WorkingDay.objects.using(using).bulk_create(
        [WorkingDay(weekday=weekday, opens=opens, closes=closes) for weekday in WEEKDAYS])
