from django.db import models
from django.utils.translation import gettext_lazy as _


class DaySummary(models.Model):
    """The report figures that are sums over days, per local day (and per month for the per-person rows).

    Kept exact by reports.summary, called by tickets.services in the same transaction as each change; rebuilt
    by `manage.py rebuild_report_summary` for data written around the services. One row per `span`, `kind`,
    `day`, topic, priority and person (reports.summary says which kind uses which); rows whose sums went back
    to 0 stay, and count as nothing.
    """

    span = models.CharField(_("lapso"), max_length=1)  # "d": a local day; "m": the month starting on `day`
    kind = models.CharField(_("tipo"), max_length=1)
    day = models.DateField(_("día"))
    # Plain numbers, no foreign keys: requests never lose their topic or people (PROTECT), and a row must not
    # lock a topic or a user while a service writes it.
    topic_id = models.IntegerField(_("temática"))
    priority = models.SmallIntegerField(_("prioridad"), default=0)
    person_id = models.IntegerField(_("persona"), default=0)  # who closed or first answered; 0: nobody
    count = models.IntegerField(_("cantidad"), default=0)
    total = models.BigIntegerField(_("duración total (µs)"), default=0)  # resolution or calendar wait
    business_count = models.IntegerField(_("con minutos hábiles"), default=0)
    business_total = models.BigIntegerField(_("minutos hábiles"), default=0)
    due = models.IntegerField(_("con vencimiento"), default=0)
    met = models.IntegerField(_("a tiempo"), default=0)

    class Meta:
        verbose_name = _("resumen diario de informes")
        verbose_name_plural = _("resúmenes diarios de informes")
        constraints = [
            models.UniqueConstraint(fields=["span", "kind", "day", "topic_id", "priority", "person_id"],
                                    name="report_summary_key"),
        ]

    def __str__(self):
        return f"{self.span}{self.kind} {self.day} {self.topic_id}/{self.priority}/{self.person_id}: {self.count}"


class TimeSummary(models.Model):
    """The minutes of the time records (tickets.models.TimeEntry) per local day and per month, per author, per
    topic and per company (each grouping its own rows: a year of a thousand companies reads ~12 month rows each
    instead of ~800k records).

    Kept exact by reports.summary.time_recorded, called by tickets.services in the transaction that writes the
    record; rebuilt with the daily summary (`manage.py rebuild_report_summary`).
    """

    span = models.CharField(_("lapso"), max_length=1)  # "d": a local day; "m": the month starting on `day`
    grouping = models.CharField(_("agrupación"), max_length=1)  # "u": author, "t": topic, "e": company
    day = models.DateField(_("día"))
    # The author's, topic's or company's id (0: a request without company); plain numbers, as in DaySummary.
    key = models.IntegerField(_("clave"))
    minutes = models.BigIntegerField(_("minutos"), default=0)
    entries = models.IntegerField(_("registros"), default=0)

    class Meta:
        verbose_name = _("resumen diario de tiempo dedicado")
        verbose_name_plural = _("resúmenes diarios de tiempo dedicado")
        constraints = [
            models.UniqueConstraint(fields=["grouping", "span", "day", "key"], name="time_summary_key"),
        ]

    def __str__(self):
        return f"{self.span}{self.grouping} {self.day} {self.key}: {self.minutes} min / {self.entries}"


class SurveySummary(models.Model):
    """The satisfaction surveys (satisfaction.models.Survey) sent per local day and per month, per operator who
    held the request and per topic, and per answer (score 0: not answered).

    Kept exact by reports.summary.survey_moved, called by satisfaction.services when a survey is sent (again) or
    answered, in that transaction; rebuilt with the daily summary (`manage.py rebuild_report_summary`).
    """

    span = models.CharField(_("lapso"), max_length=1)  # "d": a local day; "m": the month starting on `day`
    grouping = models.CharField(_("agrupación"), max_length=1)  # "u": operator who held it, "t": topic
    day = models.DateField(_("día"))
    key = models.IntegerField(_("clave"))  # the operator's or topic's id (0: sent without an operator)
    score = models.SmallIntegerField(_("respuesta"))  # 1–5, 0 while not answered
    count = models.IntegerField(_("cantidad"), default=0)

    class Meta:
        verbose_name = _("resumen diario de encuestas")
        verbose_name_plural = _("resúmenes diarios de encuestas")
        constraints = [
            models.UniqueConstraint(fields=["grouping", "span", "day", "key", "score"], name="survey_summary_key"),
        ]

    def __str__(self):
        return f"{self.span}{self.grouping} {self.day} {self.key}/{self.score}: {self.count}"
