from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """An email written in the transaction that caused it; a worker delivers it (see mail/outbox.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        SENT = "sent", _("Enviado")
        FAILED = "failed", _("Fallido")

    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Chosen once, when queued, so a message sent twice (worker killed after the SMTP server accepted it)
    # reaches the recipient with the same Message-ID and mail clients show it once.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    from_email = models.CharField(_("remitente"), max_length=500)
    to = models.JSONField(_("para"), default=list)
    cc = models.JSONField(_("copia"), default=list, blank=True)
    bcc = models.JSONField(_("copia oculta"), default=list, blank=True)
    reply_to = models.JSONField(_("responder a"), default=list, blank=True)
    subject = models.TextField(_("asunto"), blank=True)
    body = models.TextField(_("cuerpo"), blank=True)
    content_subtype = models.CharField(max_length=20, default="plain")
    alternatives = models.JSONField(default=list, blank=True)  # [[content, mimetype]], e.g. the HTML part
    attachments = models.JSONField(default=list, blank=True)  # [{filename, content (base64), mimetype}]
    headers = models.JSONField(default=dict, blank=True)  # includes Message-ID and Date
    attempts = models.PositiveIntegerField(_("intentos"), default=0)
    next_attempt_at = models.DateTimeField(_("próximo intento"), default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)  # a worker holds it until then
    lease_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(_("enviado"), null=True, blank=True)
    last_error = models.TextField(_("último error"), blank=True)

    class Meta:
        db_table = "accounts_outboxmessage"  # made by accounts before mail had its own app; the data stays
        verbose_name = _("correo saliente")
        verbose_name_plural = _("correos salientes")
        indexes = [
            # The workers' claim: pending messages whose next attempt is due, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"], name="outbox_pending_due_idx",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def recipients(self):
        return [*self.to, *self.cc, *self.bcc]
