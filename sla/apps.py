from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Calidad de servicio")

    def ready(self):
        from sla.defaults import create_default_week

        post_migrate.connect(create_default_week, sender=self)
