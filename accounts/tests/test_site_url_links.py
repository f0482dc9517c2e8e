"""Every link in allauth's emails points at SITE_URL, whatever Host header the request came with: a forged
Host (or the internal name a proxy passes) never ends up in a confirmation or password-reset link."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import ClientFactory, verified

pytestmark = pytest.mark.django_db

SITE = "https://soporte.example.com"
LINK = re.compile(r"https?://[^\s\"'<>]+")
KNOWN = "maria.gomez@example.com"


def signup(email):
    return {
        "email": email, "company_name": "Ferretería Sur", "cuit": "30-71234567-1", "full_name": "Pedro Sosa",
        "phone": "0351 422-1234", "password1": "tornillos-y-tuercas-77", "password2": "tornillos-y-tuercas-77",
    }


FLOWS = {
    # flow: (page, form, the path the email's link must lead to)
    "password reset": ("account_reset_password", {"email": KNOWN}, "/accounts/password/reset/key/"),
    "reset for an unknown address": ("account_reset_password", {"email": "nadie@example.com"}, "/accounts/signup/"),
    "sign-up": ("account_signup", signup("nuevo@example.com"), "/accounts/confirm-email/"),
    "sign-up with a known address": ("account_signup", signup(KNOWN), "/accounts/password/reset/"),
}


@pytest.mark.parametrize("flow", FLOWS)
def test_links_in_allauths_emails_use_site_url_not_the_host_header(flow, settings):
    settings.SITE_URL = SITE
    verified(ClientFactory(email=KNOWN))
    page, data, path = FLOWS[flow]
    mail.outbox.clear()
    Client(HTTP_HOST="localhost:8000").post(reverse(page), data)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    bodies = [message.body, *(content for content, _ in getattr(message, "alternatives", []))]
    links = [link for body in bodies for link in LINK.findall(body)]
    assert any(link.startswith(SITE + path) for link in links), links
    assert all(urlsplit(link).netloc == "soporte.example.com" for link in links), links
    assert all("localhost" not in body for body in bodies)
