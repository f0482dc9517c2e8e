from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeletionRequest(models.Model):
    """A person asked us to delete their personal data (Ley 25.326, supresión); an administrator honours it
    (privacy.services.erase). One open request per person at a time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("persona"), on_delete=models.CASCADE,
                             related_name="deletion_requests")
    requested_at = models.DateTimeField(_("pedido"), default=timezone.now)
    honoured_at = models.DateTimeField(_("cumplido"), null=True, blank=True)
    honoured_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cumplido por"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("pedido de eliminación")
        verbose_name_plural = _("pedidos de eliminación")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(honoured_at__isnull=True),
                                    name="one_open_deletion_request"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.requested_at:%Y-%m-%d}"
