"""Two-factor sign-in (issue 17): required for administrators, offered to everyone, reset by an administrator."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccountAuditEntry
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, OperatorFactory, verified

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
AUTHENTICATE = reverse("mfa_authenticate")


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_ADMINISTRATORS = True
    return settings


def current_code(secret):
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def with_app(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def log_in_with_password(client, user):
    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/"), ("get", "/usuarios/"), ("get", "/empresas/"), ("get", "/perfil/"), ("get", "/correo/"),
    ("post", "/correo/prueba/"), ("get", "/accounts/email/"),
])
def test_an_administrator_without_a_second_factor_reaches_no_page(client, required, method, path):
    admin = verified(AdminFactory())
    client.force_login(admin)
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert mail.outbox == []  # the test email was not sent


def test_the_setup_page_and_logging_out_stay_open(client, required):
    client.force_login(verified(AdminFactory()))
    # Logged in long ago (force_login records no login time): allauth asks for the password first.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert client.get(response.url).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_an_administrator_sets_it_up_and_then_reaches_every_page(client, required):
    admin = verified(AdminFactory())
    client.force_login(admin)
    assert client.get("/").url == reverse("mfa_activate_totp")
    reauthenticate = client.get(reverse("mfa_activate_totp")).url  # allauth asks for the password first
    assert client.post(reauthenticate, {"password": TEST_PASSWORD}).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=admin, type="totp").exists()
    assert client.get("/usuarios/").status_code == 200


def test_operators_and_clients_are_not_forced(client, required):
    for person in (verified(OperatorFactory()), verified(ClientFactory())):
        client.force_login(person)
        assert client.get("/perfil/").status_code == 200
        assert client.get(reverse("mfa_index")).status_code == 200  # offered from their profile


def test_the_setting_off_lets_administrators_in(client, settings):
    settings.MFA_REQUIRED_FOR_ADMINISTRATORS = False
    client.force_login(verified(AdminFactory()))
    assert client.get("/usuarios/").status_code == 200


def test_login_asks_for_the_code_and_a_right_one_lets_in(client):
    admin = verified(AdminFactory())
    secret = with_app(admin)
    response = log_in_with_password(client, admin)
    assert response.url == AUTHENTICATE
    assert "_auth_user_id" not in client.session

    response = client.post(AUTHENTICATE, {"code": current_code(secret)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == admin.pk


def test_wrong_codes_are_limited_even_before_the_right_one(client):
    operator = verified(OperatorFactory())
    secret = with_app(operator)
    log_in_with_password(client, operator)
    for _attempt in range(5):
        response = client.post(AUTHENTICATE, {"code": "000000"})
        assert response.status_code == 200
    response = client.post(AUTHENTICATE, {"code": current_code(secret)})
    assert "Demasiados intentos fallidos" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_works_once(client):
    admin = verified(AdminFactory())
    with_app(admin)
    code = RecoveryCodes.activate(admin).get_unused_codes()[0]

    log_in_with_password(client, admin)
    assert client.post(AUTHENTICATE, {"code": code}).status_code == 302
    assert int(client.session["_auth_user_id"]) == admin.pk

    other = Client()
    log_in_with_password(other, admin)
    response = other.post(AUTHENTICATE, {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in other.session


def test_an_administrator_resets_someones_second_factor_audited_and_told(client):
    admin = verified(AdminFactory(full_name="Laura Fernández"))
    operator = verified(OperatorFactory(email="martin@example.com"))
    with_app(operator)
    RecoveryCodes.activate(operator)
    client.force_login(admin)
    page = client.get(reverse("accounts:user_detail", args=[operator.pk])).content.decode()
    assert "Quitar verificación en dos pasos" in page

    response = client.post(reverse("accounts:user_reset_second_factor", args=[operator.pk]))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=operator).exists()
    assert AccountAuditEntry.objects.filter(target=operator, actor=admin, action="mfa_reset").count() == 1
    [message] = mail.outbox
    assert message.to == ["martin@example.com"]
    assert "Laura Fernández" in message.body and "dos pasos" in message.subject


@pytest.mark.parametrize("who", ["themselves", "an operator", "the client"])
def test_nobody_else_resets_a_second_factor(client, who):
    admin = verified(AdminFactory())
    with_app(admin)
    actor = {"themselves": admin, "an operator": verified(OperatorFactory()),
             "the client": verified(ClientFactory())}[who]
    client.force_login(actor)
    client.post(reverse("accounts:user_reset_second_factor", args=[admin.pk]))
    assert Authenticator.objects.filter(user=admin).exists()
    assert not AccountAuditEntry.objects.filter(action="mfa_reset").exists()


def test_people_see_their_sessions_and_end_the_others(client):
    person = verified(ClientFactory())
    elsewhere = Client()
    log_in_with_password(elsewhere, person)
    log_in_with_password(client, person)
    assert UserSession.objects.filter(user=person).count() == 2

    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    response = client.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert elsewhere.get("/perfil/").status_code == 302  # sent to log in
    assert client.get("/perfil/").status_code == 200
