"""What Chart.js needs to draw a per-day series: given to the page with json_script, never inline code."""

from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

# A two-period year has ~2,200 dates in its charts and day tables: written here with the weekday names read once
# per language, the same text as dateformat's «d/m» and «D d/m/Y» (sysmo/tests/test_numbers.py compares them).
_WEEKDAYS = {}


def weekday(day):
    """The short name of the day's weekday in the active language (dateformat's «D»: «lun», «Mon»)."""
    language = translation.get_language()
    names = _WEEKDAYS.get(language)
    if names is None:
        names = _WEEKDAYS[language] = [str(WEEKDAYS_ABBR[number]) for number in range(7)]
    return names[day.weekday()]


def short_date(day):
    """«02/03»: dateformat's «d/m»."""
    return f"{day.day:02d}/{day.month:02d}"


def _short(day):
    return short_date(day) if day else ""


def _long(day):
    return f"{weekday(day)} {short_date(day)}/{day.year:04d}" if day else ""


def day_chart(rows, label, comparison=None):
    """Bars for the period and, with a comparison, a line for the other period, day by day.

    Days without a counterpart (periods of different length) are null, so the chart and the table
    show exactly the same cells.
    """
    datasets = [{
        "label": label, "data": [row.count for row in rows], "dates": [_long(row.day) for row in rows],
        "kind": "current",
    }]
    if comparison is not None:
        datasets.append({
            "label": _("%(figure)s (comparación)") % {"figure": label},
            "data": [row.other_count for row in rows], "dates": [_long(row.other_day) for row in rows],
            "kind": "comparison",
        })
    labels = [_short(row.day) if row.day else _("Día %(number)s") % {"number": index}
              for index, row in enumerate(rows, start=1)]
    return {"labels": labels, "datasets": datasets}


def received_chart(report):
    return day_chart(report.received, _("Recibidas"), report.comparison)


def closed_chart(report):
    return day_chart(report.closed, _("Cerradas"), report.comparison)


def _span(period):
    return f"{date_format(period.first_day, 'd/m')}–{date_format(period.last_day, 'd/m/Y')}"


def score_chart(scores, period, comparison=None):
    """Bars of how many answered each score (1 Muy mal … 5 Excelente) in the period and, with a comparison,
    grey bars beside them for the other period (reports.satisfaction.ScoreRow)."""
    label = _("Respuestas")
    datasets = [{"label": label, "data": [row.count for row in scores], "dates": [_span(period)] * len(scores),
                 "kind": "current"}]
    if comparison is not None:
        datasets.append({"label": _("%(figure)s (comparación)") % {"figure": label},
                         "data": [row.other_count for row in scores], "dates": [_span(comparison)] * len(scores),
                         "kind": "comparison"})
    return {"labels": [f"{row.score} · {row.label}" for row in scores], "datasets": datasets,
            "comparison_as": "bar"}
