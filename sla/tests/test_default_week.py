"""The working week is never left empty by a flush: filing a request with an SLA target keeps working after
`manage.py flush` or a transactional test (which flushes), as it does on a new database."""

from datetime import time

import pytest
from django.core.management import call_command

from sla.business_hours import current_schedule
from sla.models import WorkingDay

OFFICE_WEEK = {weekday: (time(9), time(18)) for weekday in range(5)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["flush", "migrate"])
def test_an_emptied_database_gets_the_office_week_back(how):
    call_command("flush", interactive=False, verbosity=0)
    if how == "migrate":
        WorkingDay.objects.all().delete()
        call_command("migrate", verbosity=0)
    assert current_schedule().hours == OFFICE_WEEK


@pytest.mark.django_db
def test_a_week_the_administrators_chose_is_left_as_it_is():
    WorkingDay.objects.all().delete()
    WorkingDay.objects.create(weekday=5, opens=time(8), closes=time(12))
    call_command("migrate", verbosity=0)
    assert current_schedule().hours == {5: (time(8), time(12))}
