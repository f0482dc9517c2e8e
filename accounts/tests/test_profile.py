"""The profile: name and phone, password change (ends the other sessions), email change after verification."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, ClientFactory, OperatorFactory, verified

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
NEW_PASSWORD = "dulce-de-leche-2031"


@pytest.fixture
def ana():
    return verified(ClientFactory(email="ana@example.com", full_name="Ana Martínez", phone="+541143215678"))


def logged_in(user):
    """A browser that logged in through the form, as a person does."""
    browser = Client()
    response = browser.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_profile_shows_the_phone_in_national_format_and_the_company(client, ana):
    client.force_login(ana)
    page = client.get(PROFILE).content.decode()

    assert 'value="011 4321-5678"' in page
    assert ana.company.cuit in page
    assert ana.company.name in page


def test_a_user_changes_name_and_phone(client, ana):
    client.force_login(ana)

    response = client.post(PROFILE, {"full_name": "Ana María Martínez", "phone": "(0351) 422-1234"})

    assert response.status_code == 302
    ana.refresh_from_db()
    assert (ana.full_name, ana.phone) == ("Ana María Martínez", "+543514221234")


def test_a_wrong_phone_is_refused_and_nothing_changes(client, ana):
    client.force_login(ana)

    response = client.post(PROFILE, {"full_name": "Otro Nombre", "phone": "12"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["phone"]
    ana.refresh_from_db()
    assert (ana.full_name, ana.phone) == ("Ana Martínez", "+541143215678")


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(ana):
    laptop, phone = logged_in(ana), logged_in(ana)

    response = laptop.post(reverse("account_change_password"), {
        "oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert laptop.get(PROFILE).status_code == 200
    assert phone.get(PROFILE).status_code == 302  # sent to the login page
    ana.refresh_from_db()
    assert ana.check_password(NEW_PASSWORD)


def test_the_new_password_is_checked_against_the_users_name(ana):
    laptop = logged_in(ana)

    response = laptop.post(reverse("account_change_password"), {
        "oldpassword": TEST_PASSWORD, "password1": "anamartinez99", "password2": "anamartinez99",
    })

    assert response.status_code == 200
    assert "muy parecida al" in " ".join(map(str, response.context["form"].errors["password1"]))


def test_the_email_changes_only_once_the_new_address_is_verified(ana):
    browser = logged_in(ana)

    response = browser.post(reverse("account_email"), {"action_add": "", "email": "ana.nueva@example.com"})

    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.email == "ana@example.com"  # not yet
    [message] = mail.outbox
    assert message.to == ["ana.nueva@example.com"]
    path = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)

    browser.post(path)

    ana.refresh_from_db()
    assert ana.email == "ana.nueva@example.com"
    assert list(EmailAddress.objects.filter(user=ana).values_list("email", "verified", "primary")) == [
        ("ana.nueva@example.com", True, True),
    ]


def test_a_deactivated_users_open_sessions_stop_working_at_once(ana):
    browser = logged_in(ana)
    assert browser.get(PROFILE).status_code == 200

    User.objects.filter(pk=ana.pk).update(is_active=False)

    response = browser.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_operator_has_no_company_block(client):
    operator = OperatorFactory()
    client.force_login(operator)
    page = client.get(PROFILE).content.decode()
    assert "CUIT" not in page
