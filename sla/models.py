"""The organisation's working hours, the days it does not work and the SLA targets (issue 15).

Business time is computed from these by sla.business_hours; the due times of each request by sla.clock.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models import Priority
from topics.models import Topic


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Lunes")
    TUESDAY = 1, _("Martes")
    WEDNESDAY = 2, _("Miércoles")
    THURSDAY = 3, _("Jueves")
    FRIDAY = 4, _("Viernes")
    SATURDAY = 5, _("Sábado")
    SUNDAY = 6, _("Domingo")


class WorkingDay(models.Model):
    """A day of the week the organisation works, from `opens` to `closes` (Buenos Aires time). A weekday
    without a row is not worked."""

    weekday = models.PositiveSmallIntegerField(_("día"), choices=Weekday.choices, unique=True)
    opens = models.TimeField(_("desde"))
    closes = models.TimeField(_("hasta"))

    class Meta:
        verbose_name = _("día hábil")
        verbose_name_plural = _("días hábiles")
        ordering = ["weekday"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="working_day_opens_before_closes"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """A day the administrators closed besides the national holidays (a bridge day, a company closure)."""

    date = models.DateField(_("fecha"), unique=True)
    name = models.CharField(_("motivo"), max_length=120)

    class Meta:
        verbose_name = _("día no laborable")
        verbose_name_plural = _("días no laborables")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"


class Target(models.Model):
    """How soon a request of `topic` with `priority` must be first answered and resolved, in business hours."""

    topic = models.ForeignKey(Topic, verbose_name=_("temática"), on_delete=models.CASCADE, related_name="sla_targets",
                              db_index=False)  # served by sla_target_per_topic_priority
    priority = models.PositiveSmallIntegerField(_("prioridad"), choices=Priority.choices)
    first_response_hours = models.DecimalField(
        _("primera respuesta (horas hábiles)"), max_digits=6, decimal_places=2,
        validators=[MinValueValidator(0.25), MaxValueValidator(2000)])
    resolution_hours = models.DecimalField(
        _("resolución (horas hábiles)"), max_digits=6, decimal_places=2,
        validators=[MinValueValidator(0.25), MaxValueValidator(2000)])

    class Meta:
        verbose_name = _("objetivo de SLA")
        verbose_name_plural = _("objetivos de SLA")
        ordering = ["topic__name", "-priority"]
        constraints = [models.UniqueConstraint(fields=["topic", "priority"], name="sla_target_per_topic_priority")]

    def __str__(self):
        return f"{self.topic} · {self.get_priority_display()}"

    @property
    def first_response_minutes(self):
        return round(self.first_response_hours * 60)

    @property
    def resolution_minutes(self):
        return round(self.resolution_hours * 60)
