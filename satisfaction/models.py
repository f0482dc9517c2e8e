"""The satisfaction survey of a closed request (issue 15): «¿Cómo te atendimos?», one answer per request.

A Survey row is written when the closing email asks the question (satisfaction.services.send_with_closing),
with who held the request and its topic at that moment, so the reports per operator and per topic do not
move when the request is later reassigned. The score and comment arrive by the signed links of that email.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket
from topics.models import Topic


class Score(models.IntegerChoices):
    VERY_BAD = 1, _("Muy mal")
    BAD = 2, _("Mal")
    FAIR = 3, _("Regular")
    GOOD = 4, _("Bien")
    EXCELLENT = 5, _("Excelente")


class Survey(models.Model):
    ticket = models.OneToOneField(Ticket, verbose_name=_("solicitud"), on_delete=models.CASCADE,
                                  related_name="survey", primary_key=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("solicitante"), on_delete=models.CASCADE,
                                  related_name="+", db_index=False)  # read through the ticket
    # At closing time: the reports count the answer for whoever held the request then, in the topic it had.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asignada a"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+", db_index=False)
    topic = models.ForeignKey(Topic, verbose_name=_("temática"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    sent_at = models.DateTimeField(_("enviada"))
    score = models.PositiveSmallIntegerField(_("respuesta"), choices=Score.choices, null=True, blank=True)
    comment = models.TextField(_("comentario"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("respondida"), null=True, blank=True)
    changed_at = models.DateTimeField(_("cambiada"), null=True, blank=True)

    class Meta:
        verbose_name = _("encuesta de satisfacción")
        verbose_name_plural = _("encuestas de satisfacción")
        indexes = [
            # The reports: the surveys sent in a period, grouped by operator or topic, with their answer.
            models.Index(fields=["sent_at", "assignee", "topic", "score"], name="survey_report_sent_idx"),
            # The reports' latest comments: walked newest first until enough fall in the period (few rows have one).
            models.Index(fields=["-answered_at", "-ticket"], name="survey_report_comments_idx",
                         condition=models.Q(score__isnull=False) & ~models.Q(comment="")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                                   name="survey_score_1_to_5"),
        ]

    def __str__(self):
        return f"#{self.ticket_id} · {self.get_score_display() or '—'}"

    @property
    def answered(self):
        return self.score is not None
