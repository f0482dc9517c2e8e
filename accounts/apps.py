from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Cuentas")

    def ready(self):
        from sysmo import translations

        translations.remember()  # each translated text looked up once per process (sysmo/translations.py)
