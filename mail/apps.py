from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    """Email both ways: the outbox (every email we send) and, later, what arrives. Imports no other app of
    ours: they call it, and register with it what it must hand over (see mail/inbound.py)."""

    name = "mail"
    verbose_name = _("Correo")
