"""The figure cells of the reports, written by the `figure_cell` tag, are the markup the include wrote before
(INCLUDED: the former reports/_figure_cell.html, with reports/_change.html as the KPIs still use it): every kind of
value, change and tone, in both languages."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from reports.tables import DOWN, UP, Figure
from reports.time_spent import WorkedMinutes

INCLUDED = """{% load report_format %}<td class="text-end report-figure" data-label="{{ label }}">
  <span class="report-number">{{ figure.current|figure_value }}</span>
  {% if figure.compared %}{% include "reports/_change.html" with figure=figure %}{% endif %}
</td>"""

FIGURES = [
    Figure(12),
    Figure(None),
    Figure(1234567, 1000, True, UP),  # thousands, a big rise that is good news
    Figure(3, 4, True, UP),  # a fall that is bad news
    Figure(5, 5, True, DOWN),  # no change
    Figure(7, 0, True, UP),  # a change that cannot be said
    Figure(None, 3, True),
    Figure(timedelta(hours=26), timedelta(hours=24), True, DOWN),  # slower: bad news
    Figure(timedelta(minutes=45), None, True, DOWN),
    Figure(WorkedMinutes(150), WorkedMinutes(90), True),  # time spent: neither good nor bad
    Figure(2.5, 2.0, True, UP),
]


@pytest.mark.parametrize("language", ["es-ar", "en"])
@pytest.mark.parametrize("figure", FIGURES)
def test_the_tag_writes_what_the_include_wrote(language, figure):
    context = Context({"figure": figure, "label": "Tiempo <mediano> & más"})
    with translation.override(language):
        included = Template(INCLUDED).render(context)
        tagged = Template("{% load report_format %}{% figure_cell figure label %}").render(context)
    assert parse_html(tagged) == parse_html(included)
