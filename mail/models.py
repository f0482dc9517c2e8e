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


class InboundMessage(models.Model):
    """An email that arrived (IMAP or piped in), stored once by its Message-ID before anything is done with
    it, with its bytes as received; mail.inbound processes it (see there)."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Recibido")
        PROCESSED = "processed", _("Procesado")
        REFUSED = "refused", _("Rechazado")

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    received_at = models.DateTimeField(_("recibido"), default=timezone.now)
    source = models.CharField(_("origen"), max_length=20, blank=True)  # imap, pipe
    raw = models.BinaryField(_("mensaje original"))
    from_address = models.CharField(_("remitente"), max_length=254, blank=True)
    subject = models.TextField(_("asunto"), blank=True)
    state = models.CharField(_("estado"), max_length=10, choices=State.choices, default=State.RECEIVED)
    reason = models.TextField(_("motivo"), blank=True)  # why it was refused
    result = models.CharField(_("resultado"), max_length=200, blank=True)  # what it became
    processed_at = models.DateTimeField(_("procesado"), null=True, blank=True)
    answered = models.BooleanField(_("respondido"), default=False)  # we emailed the sender about it

    class Meta:
        verbose_name = _("correo recibido")
        verbose_name_plural = _("correos recibidos")
        indexes = [
            # The per-sender rate limit and the once-a-day answer.
            models.Index(fields=["from_address", "received_at"], name="inbound_sender_idx"),
            models.Index(fields=["state", "id"], name="inbound_state_idx"),
        ]

    def __str__(self):
        return f"{self.from_address}: {self.subject}"
