"""allauth's hooks: its emails go out in the recipient's language, as text and HTML, through the outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
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
