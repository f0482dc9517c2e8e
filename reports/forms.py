"""The reports page's filters: a period, an optional period to compare with, a topic and an operator."""

from datetime import timedelta

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.dates import DATE_FORMAT, DayField, in_range
from accounts.models import STAFF_ROLES, User
from reports.metrics import Period
from topics.models import Topic

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366  # longer ranges make per-day charts unreadable and cost the database for nothing


class OperatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


def default_period(today=None):
    """The last 30 days, today included."""
    today = today or timezone.localdate()
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


class ReportForm(forms.Form):
    """GET filters. Field names are the URL's keys, in Spanish, so a report can be bookmarked and shared."""

    desde = DayField(label=_("Desde"), error_messages={"required": _("Completá la fecha inicial.")})
    hasta = DayField(label=_("Hasta"), error_messages={"required": _("Completá la fecha final.")})
    comparar_desde = DayField(label=_("Desde"), required=False)
    comparar_hasta = DayField(label=_("Hasta"), required=False)
    tematica = forms.ModelChoiceField(
        label=_("Temática"), queryset=Topic.objects.order_by("name"), required=False,
        empty_label=_("Todas"), error_messages={"invalid_choice": _("Elegí una temática de la lista.")},
    )
    operador = OperatorChoiceField(
        label=_("Operador"), required=False,
        queryset=User.objects.filter(role__in=STAFF_ROLES).order_by("full_name", "email"),
        empty_label=_("Todos"), help_text=_("Solicitudes asignadas a esa persona."),
        error_messages={"invalid_choice": _("Elegí un operador de la lista.")},
    )

    def __init__(self, query=None, *, today=None):
        """`query` is request.GET; a missing period means the last 30 days."""
        data = query.copy() if query is not None else {}
        defaults = default_period(today)
        if not data.get("desde") and not data.get("hasta"):
            data["desde"] = defaults.first_day.strftime(DATE_FORMAT)
            data["hasta"] = defaults.last_day.strftime(DATE_FORMAT)
        super().__init__(data)

    def clean(self):
        cleaned = super().clean()
        self._check_range("desde", "hasta")
        first, last = cleaned.get("comparar_desde"), cleaned.get("comparar_hasta")
        if first and not last:
            self.add_error("comparar_hasta", _("Completá también la fecha final para comparar."))
        elif last and not first:
            self.add_error("comparar_desde", _("Completá también la fecha inicial para comparar."))
        elif first and last:
            self._check_range("comparar_desde", "comparar_hasta")
        return cleaned

    def _check_range(self, first_field, last_field):
        first, last = self.cleaned_data.get(first_field), self.cleaned_data.get(last_field)
        if not first or not last:
            return
        if last < first:
            self.add_error(last_field, _("La fecha final no puede ser anterior a la inicial."))
        elif (last - first).days + 1 > MAX_DAYS:
            self.add_error(last_field, _("Elegí un rango de hasta tres años."))

    @property
    def period(self):
        return Period(self.cleaned_data["desde"], self.cleaned_data["hasta"])

    def previous_period(self):
        """The period of the same length just before this one, or None where it would begin before the first
        day a date field accepts (accounts.dates): a shortcut must not lead to an error."""
        previous = self.period.previous()
        return previous if in_range(previous.first_day) else None

    @property
    def comparison(self):
        first, last = self.cleaned_data.get("comparar_desde"), self.cleaned_data.get("comparar_hasta")
        return Period(first, last) if first and last else None

    @property
    def filters(self):
        """Keyword arguments for `metrics.requests_for`."""
        return {"topic": self.cleaned_data.get("tematica"), "operator": self.cleaned_data.get("operador")}

    def query_string(self, comparison=False):
        """The filters as a URL query, for the download links; `comparison` replaces the compared period."""
        query = QueryDict(mutable=True)
        query["desde"] = self.period.first_day.strftime(DATE_FORMAT)
        query["hasta"] = self.period.last_day.strftime(DATE_FORMAT)
        compared = self.comparison if comparison is False else comparison
        if compared is not None:
            query["comparar_desde"] = compared.first_day.strftime(DATE_FORMAT)
            query["comparar_hasta"] = compared.last_day.strftime(DATE_FORMAT)
        for key in ("tematica", "operador"):
            if self.cleaned_data.get(key) is not None:
                query[key] = str(self.cleaned_data[key].pk)
        return query.urlencode(safe="/")
