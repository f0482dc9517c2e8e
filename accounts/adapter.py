"""allauth's hooks: its emails go out in the recipient's language, as text and HTML, through the outbox;
a sign-up makes a client of a company (by CUIT); its messages speak Argentine Spanish."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
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

    def send_mail(self, template_prefix, email, context):
        language = (
            User.objects.filter(email__iexact=email).values_list("language", flat=True).first()
            or translation.get_language()
            or settings.LANGUAGE_CODE
        )
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

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
