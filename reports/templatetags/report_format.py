"""How the reports page writes durations, figures and changes."""

from datetime import timedelta
from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.charts import short_date, weekday
from reports.time_spent import WorkedMinutes
from sysmo.numbers import decimal, grouped
from tickets.templatetags.worked_time import worked_time

register = template.Library()

EMPTY = "—"


@register.filter
def duration(value):
    """A resolution time the way people say it: 45 min, 5 h 20 min, 2 días 4 h."""
    if value is None:
        return EMPTY
    minutes = round(value / timedelta(minutes=1))
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": minutes}
    if minutes < 24 * 60:
        return _("%(hours)s h %(minutes)s min") % {"hours": minutes // 60, "minutes": minutes % 60}
    days, hours = divmod(round(minutes / 60), 24)
    if not hours:
        return ngettext("%(days)s día", "%(days)s días", days) % {"days": days}
    return ngettext("%(days)s día %(hours)s h", "%(days)s días %(hours)s h", days) % {"days": days, "hours": hours}


@register.filter
def figure_value(value):
    """A count with thousands separators, a duration, or time worked (hours and minutes)."""
    if value is None:
        return EMPTY
    if isinstance(value, timedelta):
        return duration(value)
    if isinstance(value, WorkedMinutes):
        return worked_time(value)
    return grouped(value)


@register.filter
def change(value):
    """A change in percent with its sign: +12,5 %, −8 %, or — when it cannot be said."""
    if value is None:
        return EMPTY
    rounded = round(value, 1)
    sign = "+" if rounded > 0 else "−" if rounded < 0 else ""
    return f"{sign}{decimal(abs(rounded), 1 if rounded % 1 else 0)} %"


@register.simple_tag
def figure_cell(figure, label):
    """The table cell of one reports.tables.Figure: its value and, compared, its change and the other period's
    value. The markup of reports/_figure_cell.html and reports/_change.html, written here because a year's
    report has thousands of them (an include each was a third of the page's time); escaped with the standard
    library's html.escape (what django.utils.html.escape calls, without its lazy-string wrapper)."""
    value = escape(str(figure_value(figure.current)))
    cell = (f'<td class="text-end report-figure" data-label="{escape(str(label))}">'
            f'<span class="report-number">{value}</span>')
    return mark_safe(f"{cell}{figure_change(figure) if figure.compared else ''}</td>")  # noqa: S308 (escaped)


ARROWS = {"up": '<span aria-hidden="true">▲ </span>', "down": '<span aria-hidden="true">▼ </span>'}


def figure_change(figure):
    """reports/_change.html: the change's badge (when it can be said) and «vs.» the comparison's value."""
    badge = ""
    if figure.change is not None:
        badge = (f'<span class="report-change-badge report-change-{figure.tone}">{ARROWS.get(figure.trend, "")}'
                 f"{escape(change(figure.change))}</span>")
    previous = escape(_("vs. %(value)s") % {"value": figure_value(figure.previous)})
    return f'<span class="report-change">{badge}<span class="report-change-previous">{previous}</span></span>'


@register.simple_tag
def report_day(day):
    """A day of the per-day tables: «lun 02/03» and its year, in a <time>; — for a day without counterpart.
    Written here rather than with three `date` filters: a two-period year has ~730 of them."""
    if day is None:
        return EMPTY
    return mark_safe(  # noqa: S308 — digits and the weekday's name, escaped
        f'<time datetime="{day.isoformat()}">{escape(weekday(day))} {short_date(day)}'
        f'<span class="report-year">/{day.year}</span></time>')
