from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A temática: an area of requests, worked by its operators."""

    name = models.CharField(_("nombre"), max_length=120, unique=True)
    description = models.TextField(_("descripción"), blank=True)
    is_active = models.BooleanField(
        _("activa"), default=True, help_text=_("Una temática inactiva no recibe solicitudes nuevas.")
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("operadores"), related_name="topics", blank=True,
        limit_choices_to={"role__in": ["operator", "admin"]},
    )
    created_at = models.DateTimeField(_("alta"), default=timezone.now)

    class Meta:
        verbose_name = _("temática")
        verbose_name_plural = _("temáticas")
        ordering = ["name"]

    def __str__(self):
        return self.name
