from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Cuentas")

    def ready(self):
        from allauth.account.signals import email_confirmed

        from sysmo import translations

        translations.remember()  # each translated text looked up once per process (sysmo/translations.py)

        email_confirmed.connect(_address_verified, dispatch_uid="accounts.membership.address_verified")


def _address_verified(request, email_address, **kwargs):
    """A person proved their address: maybe their company's first member (accounts.membership)."""
    from accounts import membership

    if email_address.user.email.lower() == email_address.email.lower():
        membership.address_verified(email_address.user)
