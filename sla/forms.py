from django import forms
from django.utils.translation import gettext_lazy as _

from sla.models import ClosedDay, Weekday
from tickets.models import Priority


class ScheduleForm(forms.Form):
    """Each day of the week: worked or not, from when to when (Buenos Aires time)."""

    def __init__(self, *args, hours=None, **kwargs):
        super().__init__(*args, **kwargs)
        hours = hours or {}
        for day in Weekday:
            opens, closes = hours.get(day.value, (None, None))
            self.fields[f"open_{day.value}"] = forms.BooleanField(label=day.label, required=False,
                                                                  initial=day.value in hours)
            self.fields[f"opens_{day.value}"] = forms.TimeField(
                label=_("Desde"), required=False, initial=opens, widget=forms.TimeInput(attrs={"type": "time"}))
            self.fields[f"closes_{day.value}"] = forms.TimeField(
                label=_("Hasta"), required=False, initial=closes, widget=forms.TimeInput(attrs={"type": "time"}))

    def rows(self):
        return [(self[f"open_{day.value}"], self[f"opens_{day.value}"], self[f"closes_{day.value}"]) for day in Weekday]

    def clean(self):
        hours = {}
        for day in Weekday:
            if not self.cleaned_data.get(f"open_{day.value}"):
                continue
            opens, closes = self.cleaned_data.get(f"opens_{day.value}"), self.cleaned_data.get(f"closes_{day.value}")
            if opens is None or closes is None:
                self.add_error(f"opens_{day.value}", _("Indicá desde y hasta qué hora se trabaja."))
            elif opens >= closes:
                self.add_error(f"closes_{day.value}", _("La hora de cierre tiene que ser posterior a la de apertura."))
            else:
                hours[day.value] = (opens, closes)
        if not hours and not self.errors:
            raise forms.ValidationError(_("Elegí al menos un día hábil."))
        self.cleaned_data["hours"] = hours
        return self.cleaned_data


class ClosedDayForm(forms.ModelForm):
    class Meta:
        model = ClosedDay
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"name": _("Por ejemplo: «Puente» o «Cierre por inventario».")}
        error_messages = {"date": {"unique": _("Ese día ya figura como no laborable.")}}


HOURS = {"max_digits": 6, "decimal_places": 2, "min_value": 0.25, "max_value": 2000, "required": False}


class TargetsForm(forms.Form):
    """For each topic and priority: first response and resolution, in business hours (empty: no target)."""

    def __init__(self, *args, topics, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = topics
        for topic in topics:
            for priority in reversed(Priority):
                target = targets.get((topic.pk, priority.value))
                for kind, label in (("first", _("Primera respuesta")), ("resolution", _("Resolución"))):
                    initial = target and (target.first_response_hours if kind == "first" else target.resolution_hours)
                    self.fields[f"{kind}_{topic.pk}_{priority.value}"] = forms.DecimalField(
                        label=f"{topic.name} · {priority.label} · {label}", initial=initial, **HOURS,
                        widget=forms.NumberInput(attrs={"step": "0.25", "class": "form-control form-control-sm"}))

    def grid(self):
        return [(topic, [(priority, self[f"first_{topic.pk}_{priority.value}"],
                          self[f"resolution_{topic.pk}_{priority.value}"]) for priority in reversed(Priority)])
                for topic in self.topics]

    def clean(self):
        chosen = {}
        for topic in self.topics:
            for priority in Priority:
                first = self.cleaned_data.get(f"first_{topic.pk}_{priority.value}")
                resolution = self.cleaned_data.get(f"resolution_{topic.pk}_{priority.value}")
                if first is None and resolution is None:
                    continue
                if first is None or resolution is None:
                    self.add_error(f"first_{topic.pk}_{priority.value}" if first is None else
                                   f"resolution_{topic.pk}_{priority.value}",
                                   _("Indicá los dos plazos, o dejá ambos vacíos."))
                elif first > resolution:
                    self.add_error(f"first_{topic.pk}_{priority.value}",
                                   _("La primera respuesta no puede vencer después de la resolución."))
                else:
                    chosen[(topic.pk, priority.value)] = (first, resolution)
        self.cleaned_data["targets"] = chosen
        return self.cleaned_data
