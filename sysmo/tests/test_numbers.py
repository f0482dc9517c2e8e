"""sysmo.numbers writes numbers with the text Django's formatting gives, in every language of the site, and
the reports' day cells are the markup of the `date` filters they replaced (issue 19: the same page, cheaper)."""

from datetime import date

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.utils import dateformat, translation
from django.utils.formats import number_format

from reports import charts
from reports.templatetags.report_format import change, report_day
from sysmo.numbers import decimal, grouped

LANGUAGES = ["es-ar", "en"]
INTS = [0, 1, 7, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 1_234_567_890, -1, -999, -1000, -7_654_321]
DECIMALS = [(0.0, 0), (1.0, 0), (12.5, 1), (0.1, 1), (99.9, 1), (100.0, 0), (1234.5, 1), (98765.4, 1), (400.0, 0),
            (3, 0), (2.25, 2)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("value", [*INTS, 4.5, 1234.75, "texto", None, True])
def test_grouped_is_intcomma(language, value):
    with translation.override(language):
        assert grouped(value) == intcomma(value)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("value", "places"), DECIMALS)
def test_decimal_is_number_format(language, value, places):
    with translation.override(language):
        assert decimal(value, places) == number_format(value, decimal_pos=places, use_l10n=True)


@pytest.mark.parametrize("value", [1234.5, 5.0])
def test_decimal_follows_the_thousands_setting(settings, value):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("es-ar"):
        assert decimal(value, 1) == number_format(value, decimal_pos=1, use_l10n=True)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("value", [12.5, -8.0, 0.0, 1234.5, -0.04, 250.0])
def test_a_change_reads_as_before(language, value):
    with translation.override(language):
        rounded = round(value, 1)
        sign = "+" if rounded > 0 else "−" if rounded < 0 else ""
        expected = f"{sign}{number_format(abs(rounded), decimal_pos=1 if rounded % 1 else 0, use_l10n=True)} %"
        assert change(value) == expected


FILTERS = Template(
    """{% if day %}<time datetime="{{ day|date:'Y-m-d' }}">{{ day|date:"D d/m" }}<span class="report-year">/"""
    """{{ day|date:"Y" }}</span></time>{% else %}—{% endif %}""")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 12, 31), date(2025, 1, 4), date(2024, 2, 29), None])
def test_a_report_day_is_what_the_date_filters_wrote(language, day):
    with translation.override(language):
        assert report_day(day) == FILTERS.render(Context({"day": day}))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 12, 31), date(2025, 1, 4), date(2024, 2, 29),
                                 date(2026, 3, 8), date(2026, 3, 6), date(999, 1, 5)])
def test_chart_dates_are_dateformats(language, day):
    with translation.override(language):
        assert charts._short(day) == dateformat.format(day, "d/m")
        assert charts._long(day) == dateformat.format(day, "D d/m/Y")
