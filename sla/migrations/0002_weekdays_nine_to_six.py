from datetime import time

from django.db import migrations


def weekdays(apps, schema_editor):
    """Monday to Friday, 9 to 18: the usual office hours, until an administrator changes them."""
    WorkingDay = apps.get_model("sla", "WorkingDay")
    for weekday in range(5):
        WorkingDay.objects.get_or_create(weekday=weekday, defaults={"opens": time(9), "closes": time(18)})


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_working_hours_closed_days_and_targets")]
    operations = [migrations.RunPython(weekdays, migrations.RunPython.noop)]
