"""The days under the charts read as Django's localised date formatting gives them, in both languages."""

from datetime import date

import pytest
from django.utils import translation
from django.utils.formats import date_format

from reports import charts


@pytest.mark.parametrize("language", ["es-ar", "en"])
@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 2, 28), date(2024, 2, 29), date(2026, 12, 31)])
def test_the_chart_days_are_the_localised_ones(language, day):
    with translation.override(language):
        assert charts._long(day) == date_format(day, "D d/m/Y")
        assert charts._short(day) == date_format(day, "d/m")
    assert charts._long(None) == charts._short(None) == ""
