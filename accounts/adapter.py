"""allauth's hooks: its emails go out in the recipient's language, as text and HTML, through the outbox;
a sign-up makes a client of a company (by CUIT); its messages speak Argentine Spanish; password attempts are
counted per account and per client address, the address being the one `get_client_ip` gives."""

import ipaddress
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    # allauth's own Spanish is Spain's; these are the ones our pages show.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("Esta cuenta está desactivada."),
        "email_password_mismatch": _("El correo electrónico o la contraseña no son correctos."),
        "enter_current_password": _("Escribí tu contraseña actual."),
        "incorrect_password": _("La contraseña no es correcta."),
        "invalid_password_reset": _("El enlace para restablecer la contraseña no es válido."),
        "too_many_login_attempts": _("Demasiados intentos fallidos. Probá de nuevo en unos minutos."),
        "same_as_current": _("El valor nuevo tiene que ser distinto del actual."),
        "rate_limited": _("Demasiados pedidos seguidos. Esperá un momento y probá de nuevo."),
    }

    # --- Who is asking, and how many passwords they may try ---------------------------------------------

    def get_client_ip(self, request):
        """The client's address for every rate limit: the one our trusted proxy reports, else the peer's.

        allauth reads ALLAUTH_TRUSTED_CLIENT_IP_HEADER, else the last ALLAUTH_TRUSTED_PROXY_COUNT-th entry of
        X-Forwarded-For (settings TRUSTED_CLIENT_IP_HEADER / TRUSTED_PROXY_COUNT, both off by default, so a
        header the client writes is never believed). A request that did not come through the proxies (no
        header, a malformed one, fewer X-Forwarded-For entries than proxies) is keyed on REMOTE_ADDR, the
        peer the client cannot choose, instead of failing. Raises PermissionDenied only with no address at all.
        """
        try:
            return super().get_client_ip(request)
        except (ImproperlyConfigured, PermissionDenied):
            try:
                return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").strip()))
            except ValueError:
                raise PermissionDenied("Unable to determine client IP address") from None

    def _get_login_attempts_cache_key(self, request, **credentials):
        """The account the failed-login limit counts against: its address, normalised, and nothing else.

        allauth prefixes the site's domain, which without django.contrib.sites is the Host header the client
        sends ("127.0.0.1:1", "127.0.0.1:2"… each a fresh count). Every password check (login,
        reauthentication, password change) reaches this through `authenticate`.
        """
        return login_attempts_key(credentials.get("email") or credentials.get("username") or "")

    # --- Email ----------------------------------------------------------------------------------------------

    def send_mail(self, template_prefix, email, context):
        context = on_site_url(context)
        language = (
            context.pop("recipient_language", None)
            or User.objects.filter(email__iexact=email).values_list("language", flat=True).first()
            # An address not yet anyone's (a change waiting for its confirmation): its future owner's language,
            # not the one of whoever asked for it (an administrator, accounts.services.change_email).
            or getattr(context.get("user"), "language", "")
            or translation.get_language()
            or settings.LANGUAGE_CODE
        )
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """Tell the owner that their account changed (ACCOUNT_EMAIL_NOTIFICATIONS): its password, its address.

        allauth sends these after a password change, set or reset and an email change (to the old address,
        `email`), and Django's admin does through accounts.admin. The one home of these notices: they go
        through the outbox in the owner's language (the old address belongs to no account any more), say when
        and from where, and what to do if it was not them (templates/account/email/base_notification.txt),
        with the link to the password-reset form, never a key.
        """
        context = {"reset_password_url": settings.SITE_URL + reverse("account_reset_password"), **(context or {})}
        context["recipient_language"] = getattr(user, "language", "") or settings.LANGUAGE_CODE
        super().send_notification_mail(template_prefix, user, context, email)

    def render_mail(self, template_prefix, email, context, headers=None):
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if message.content_subtype == "html" or getattr(message, "alternatives", None):
            return message
        # allauth ships text only: wrap it in our HTML layout (escaped; its links made clickable).
        html = render_to_string(
            "email/allauth_message.html",
            {"subject": message.subject, "body": message.body, "site_url": settings.SITE_URL},
        )
        return EmailMultiAlternatives(
            message.subject, message.body, message.from_email, message.to, headers=message.extra_headers,
            alternatives=[(html, "text/html")],
        )

    def save_user(self, request, user, form, commit=True):
        """A sign-up (accounts.forms.SignupForm) makes a client of the company with that CUIT."""
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        if "cuit" in data:
            services.fill_new_client(
                user, full_name=data["full_name"], phone=data["phone"],
                company_name=data["company_name"], cuit=data["cuit"],
            )
        # Emails reach them in the language they signed up in.
        user.language = translation.get_language() or settings.LANGUAGE_CODE
        if commit:
            user.save()
        return user


class SiteFromSettings:
    """What allauth's `current_site` is in our emails: SITE_URL's host, never the Host header of the request."""

    name = "Sysmo Tickets"

    @property
    def domain(self):
        return urlsplit(settings.SITE_URL).netloc


def on_site_url(context):
    """`context` of an allauth email with every link moved onto SITE_URL (confirmation, reset, sign-up links).

    allauth builds them with `request.build_absolute_uri`, i.e. from the Host header the client sent (or the
    one a proxy passed): a forged Host would put the attacker's domain in a password-reset link. Here the
    scheme and host of each absolute link of the request's own are replaced by SITE_URL's; paths and keys
    stay. Returns a new dict; `current_site` becomes SITE_URL's host.
    """
    request = context.get("request") or allauth_context.request
    context = {**context, "current_site": SiteFromSettings()}
    if request is None:
        return context
    own = request.build_absolute_uri("/")
    for name, value in context.items():
        if isinstance(value, str) and value.startswith(own):
            context[name] = settings.SITE_URL + "/" + value[len(own):]
    return context


def login_attempts_key(login):
    """The key of an account's failed-password count: the address as typed, trimmed and lower-cased."""
    return f"login:{login.strip().lower()}"
