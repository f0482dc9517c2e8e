"""No account enumeration: sign-up, login and password reset answer alike for a known and an unknown email."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import ClientFactory, verified

pytestmark = pytest.mark.django_db

KNOWN = "maria.gomez@example.com"
UNKNOWN = "nadie.registrado@example.com"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def known_user():
    return verified(ClientFactory(email=KNOWN, full_name="María Gómez"))


def answer(method, path, data, email):
    """What a visitor sees: status, where it sends them, and the page they land on.

    The page is compared without its CSRF token and with the address the visitor typed blanked out:
    echoing what they typed back to them tells nothing.
    """
    client = Client()
    response = getattr(client, method)(path, data)
    landing = client.get(response.url) if response.status_code == 302 else response
    page = CSRF.sub("", landing.content.decode()).replace(email, "EMAIL")
    return response.status_code, response.get("Location"), landing.status_code, page


def signup_data(email):
    return {
        "email": email, "company_name": "Ferretería Sur", "cuit": "30-71234567-1", "full_name": "Pedro Sosa",
        "phone": "0351 422-1234", "password1": "tornillos-y-tuercas-77", "password2": "tornillos-y-tuercas-77",
    }


def test_sign_up_with_a_known_email_answers_like_a_new_one_and_creates_nothing():
    known = answer("post", reverse("account_signup"), signup_data(KNOWN.upper()), KNOWN)
    users_after_known = User.objects.count()
    unknown = answer("post", reverse("account_signup"), signup_data(UNKNOWN), UNKNOWN)

    assert known[1] == reverse("account_email_verification_sent")
    assert known == unknown
    assert users_after_known == 1  # the known address got no second account
    # Each address got a mail: the owner hears someone tried to sign up, the newcomer gets the link.
    assert [m.to for m in mail.outbox] == [[KNOWN], [UNKNOWN]]
    assert "Ya tenés una cuenta" in mail.outbox[0].subject


def test_a_wrong_password_for_a_known_email_answers_like_an_unknown_email():
    known = answer("post", reverse("account_login"), {"login": KNOWN, "password": "no-es-la-clave-123"}, KNOWN)
    unknown = answer("post", reverse("account_login"), {"login": UNKNOWN, "password": "no-es-la-clave-123"}, UNKNOWN)

    assert known[0] == 200
    assert "El correo electrónico o la contraseña no son correctos." in known[3]
    assert known == unknown


def test_password_reset_answers_alike_for_a_known_and_an_unknown_email():
    known = answer("post", reverse("account_reset_password"), {"email": KNOWN}, KNOWN)
    unknown = answer("post", reverse("account_reset_password"), {"email": UNKNOWN}, UNKNOWN)

    assert known[1] == reverse("account_reset_password_done")
    assert known == unknown
    assert [m.to for m in mail.outbox] == [[KNOWN], [UNKNOWN]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body
