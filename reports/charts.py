"""What Chart.js needs to draw a per-day series: given to the page with json_script, never inline code."""

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

# dateformat.format takes the pattern as given: five times cheaper per day than formats.date_format (a chart
# of two years has ~1,500 days), with the same text; its «D» is the weekday in the active language.


def _short(day):
    return date_format(day, "d/m") if day else ""


def _long(day):
    return date_format(day, "D d/m/Y") if day else ""


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
