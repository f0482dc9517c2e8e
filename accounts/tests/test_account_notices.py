"""A change to how an account is reached (its password, its email address) is told to the address that held it
before, in the owner's language, with what to do if it was not them, and never with a secret in it."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, verified
from mail.models import OutboxMessage

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "dulce-de-leche-2031"
OLD_ADDRESS = "ana@example.com"
NEW_ADDRESS = "ana.nueva@example.com"
RESET_FORM = "/accounts/password/reset/"  # where to choose a new password: a form, not a key


def logged_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


def change_password(user):
    logged_in(user).post(reverse("account_change_password"), {
        "oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    return OLD_ADDRESS, [NEW_PASSWORD]


def set_password(user):
    """An account made without a usable password (e.g. by an administrator) chooses its first one."""
    user.set_unusable_password()
    user.save()
    logged_in(user).post(reverse("account_set_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return OLD_ADDRESS, [NEW_PASSWORD]


def reset_password(user):
    browser = Client()
    browser.post(reverse("account_reset_password"), {"email": OLD_ADDRESS})
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form = browser.get(link, follow=True)
    browser.post(form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return OLD_ADDRESS, [NEW_PASSWORD, link, link.rstrip("/").rsplit("/", 1)[-1]]


def change_email(user):
    browser = logged_in(user)
    browser.post(reverse("account_email"), {"action_add": "", "email": NEW_ADDRESS})
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    browser.post(link)
    return OLD_ADDRESS, [link, link.rstrip("/").rsplit("/", 1)[-1]]


def admin_sets_password(user):
    admin = verified(AdminFactory(is_superuser=True))
    logged_in(admin).post(f"/admin/accounts/user/{user.pk}/password/", {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true",
    })
    return OLD_ADDRESS, [NEW_PASSWORD]


def admin_changes_email(user):
    admin = verified(AdminFactory(is_superuser=True))
    browser = logged_in(admin)
    url = f"/admin/accounts/user/{user.pk}/change/"
    form = browser.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name not in ("password", "last_login",
                                                                             "date_joined", "groups",
                                                                             "user_permissions")}
    data = {name: value for name, value in data.items() if value is not None}
    data.update({
        "email": NEW_ADDRESS, "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"), "last_login_0": "", "last_login_1": "",
    })
    response = browser.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return OLD_ADDRESS, []


def admin_changes_email_from_the_users_pages(user):
    """The administrator asks (accounts.services.change_email); the owner confirms from the new mailbox."""
    admin = verified(AdminFactory())
    logged_in(admin).post(reverse("accounts:user_email", args=[user.pk]), {"email": NEW_ADDRESS})
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    Client().post(link)
    return OLD_ADDRESS, [link, link.rstrip("/").rsplit("/", 1)[-1]]


CHANGES = {
    "password changed": change_password,
    "password set": set_password,
    "password reset by link": reset_password,
    "email changed": change_email,
    "password set by an administrator": admin_sets_password,
    "email changed by an administrator": admin_changes_email,
    "email changed from the users pages": admin_changes_email_from_the_users_pages,
}
# What the notice says happened (in Spanish, the msgid).
SAYS = {
    "password changed": "cambió la contraseña",
    "password set": "cambió la contraseña",
    "password reset by link": "cambió la contraseña",
    "email changed": f"de {OLD_ADDRESS} a {NEW_ADDRESS}",
    "password set by an administrator": "cambió la contraseña",
    "email changed by an administrator": f"de {OLD_ADDRESS} a {NEW_ADDRESS}",
    "email changed from the users pages": f"de {OLD_ADDRESS} a {NEW_ADDRESS}",
}


def notices_to(address):
    return [m for m in mail.outbox if m.to == [address] and "Aviso de seguridad" in m.subject]


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_is_told_to_the_address_that_held_the_account(change):
    user = verified(ClientFactory(email=OLD_ADDRESS, full_name="Ana Martínez"))

    address, secrets = CHANGES[change](user)

    [notice] = notices_to(address)
    html = notice.alternatives[0][0]
    assert SAYS[change] in notice.body
    assert "Si no fuiste vos" in notice.body  # how to react
    assert "administrador" in notice.body
    if "password" in change:
        assert f"http://testserver{RESET_FORM}" in notice.body or f"{RESET_FORM}" in notice.body
    for secret in secrets:
        assert secret not in notice.body
        assert secret not in html
    assert TEST_PASSWORD not in notice.body
    assert not re.search(r"/password/reset/key/|/confirm-email/", notice.body)


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize(("language", "greeting", "html_lang"), [("es-ar", "¡Hola!", "es-ar"), ("en", "Hello!", "en")])
def test_the_notice_speaks_the_owners_language_whatever_the_page_was_in(change, language, greeting, html_lang):
    user = verified(ClientFactory(email=OLD_ADDRESS, language=language))

    address, _ = CHANGES[change](user)

    [notice] = notices_to(address) if language == "es-ar" else [
        m for m in mail.outbox if m.to == [address] and m.body.startswith(greeting)
        and "/key/" not in m.body and "/confirm-email/" not in m.body
    ]
    assert notice.body.startswith(greeting)
    assert f'<html lang="{html_lang}">' in notice.alternatives[0][0]


def test_the_notice_goes_through_the_outbox(outbox_mail):
    user = verified(ClientFactory(email=OLD_ADDRESS))

    change_password(user)

    assert OutboxMessage.objects.filter(to=[OLD_ADDRESS], subject__contains="Aviso de seguridad").count() == 1


def test_a_refused_change_tells_nobody():
    user = verified(ClientFactory(email=OLD_ADDRESS))

    logged_in(user).post(reverse("account_change_password"), {
        "oldpassword": "no-es-la-clave", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert notices_to(OLD_ADDRESS) == []
