"""The invitation link (choose a password, which verifies the address and logs in), once and before it expires;
"Invitación pendiente" on the users pages; resending the invitation."""

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AccountAuditEntry, Role, User
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, OperatorFactory, verified

pytestmark = pytest.mark.django_db

Action = AccountAuditEntry.Action
PASSWORD = "mate-cocido-con-leche-31"
INVALID = "Este enlace de invitación ya no sirve"
LINK = re.compile(r"https?://[^/\s]+(/invitacion/[0-9a-z]+-[^/\s]+/)")


@pytest.fixture
def admin():
    return verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def invite(admin, email="martin@demo.sysmo.ar", role=Role.OPERATOR):
    invitee = services.create_invited_user(email=email, full_name="Martín Gómez", role=role, by=admin)
    services.send_invitation(invitee, by=admin)
    return invitee


@pytest.fixture
def invitee(admin):
    return invite(admin)


def link_in(message):
    return LINK.search(message.body).group(1)


def open_link(browser, link):
    """Follow the link as the email's reader: the key goes to the session and leaves the address bar."""
    first = browser.get(link)
    assert first.status_code == 302, first.content.decode()[:500]
    assert first["Location"].endswith("-elegir-contrasena/")
    return first["Location"]


def choose_password(browser, form_url, password=PASSWORD, again=None):
    return browser.post(form_url, {"password1": password, "password2": again or password})


# --- The link ----------------------------------------------------------------------------------------------


def test_the_link_sets_the_password_verifies_the_address_and_logs_in(invitee):
    browser = Client()
    form_url = open_link(browser, link_in(mail.outbox[0]))
    page = browser.get(form_url)
    assert page.status_code == 200
    assert page.context["invitee"] == invitee
    assert "Te invitaron a Sysmo Tickets" in page.content.decode()

    response = choose_password(browser, form_url)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert browser.session[SESSION_KEY] == str(invitee.pk)
    invitee.refresh_from_db()
    assert invitee.check_password(PASSWORD)
    assert not invitee.invitation_pending
    address = EmailAddress.objects.get(user=invitee)
    assert (address.email, address.primary, address.verified) == (invitee.email, True, True)
    entry = AccountAuditEntry.objects.get(action=Action.INVITATION_ACCEPTED)
    assert (entry.actor, entry.target) == (invitee, invitee)
    assert len(mail.outbox) == 1  # no "your password changed" notice: they chose their first one
    assert browser.get(reverse("tickets:inbox")).status_code == 200


def test_the_key_never_stays_in_the_address_bar(invitee):
    link = link_in(mail.outbox[0])
    key = link.rstrip("/").split("-", 1)[1]
    form_url = open_link(Client(), link)
    assert key not in form_url


def test_the_link_works_once(invitee):
    link = link_in(mail.outbox[0])
    browser = Client()
    form_url = open_link(browser, link)
    choose_password(browser, form_url)

    again = Client().get(link)
    assert again.status_code == 200
    assert INVALID in again.content.decode()
    assert "Si ya elegiste tu contraseña, ingresá" in again.content.decode()

    # The same browser, sending the form again (back button): refused, the password stays.
    browser.logout()
    second = choose_password(browser, form_url, "otra-clave-distinta-77")
    assert INVALID in second.content.decode()
    invitee.refresh_from_db()
    assert invitee.check_password(PASSWORD)
    assert AccountAuditEntry.objects.filter(action=Action.INVITATION_ACCEPTED).count() == 1


def test_two_tabs_accepting_at_once_set_one_password(invitee):
    key = services.invitation_tokens.make_token(invitee)
    services.accept_invitation(invitee, key=key, password=PASSWORD)
    with pytest.raises(services.InvitationLinkInvalid):
        services.accept_invitation(invitee, key=key, password="otra-clave-distinta-77")
    invitee.refresh_from_db()
    assert invitee.check_password(PASSWORD)


def test_the_link_expires(invitee, settings):
    link = link_in(mail.outbox[0])
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with mock.patch.object(services.InvitationTokenGenerator, "_now", return_value=later):
        response = Client().get(link)
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    with mock.patch.object(services.InvitationTokenGenerator, "_now",
                           return_value=later - timedelta(seconds=120)):
        assert Client().get(link).status_code == 302  # a minute before: still good


def _uid(user):
    return user_pk_to_url_str(user)


WRONG_LINKS = {
    "a made-up key": lambda invitee: (_uid(invitee), "c4x8ab-0123456789abcdef0123456789abcdef"),
    "a password-reset key": lambda invitee: (_uid(invitee), default_token_generator.make_token(invitee)),
    "another person's key": lambda invitee: (
        _uid(invitee), services.invitation_tokens.make_token(OperatorFactory(password=None))),
    "an account that is not invited": lambda invitee: (
        _uid(ClientFactory()), services.invitation_tokens.make_token(invitee)),
    "an unknown account": lambda invitee: ("zzzzzz", services.invitation_tokens.make_token(invitee)),
    "a huge id": lambda invitee: ("z" * 13, services.invitation_tokens.make_token(invitee)),
}


@pytest.mark.parametrize("case", WRONG_LINKS)
def test_a_wrong_link_changes_nothing(invitee, case):
    uidb36, key = WRONG_LINKS[case](invitee)
    response = Client().get(reverse("accounts:accept_invitation", kwargs={"uidb36": uidb36, "key": key}))
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    invitee.refresh_from_db()
    assert invitee.invitation_pending


def test_a_deactivated_invitee_cannot_use_the_link(invitee):
    User.objects.filter(pk=invitee.pk).update(is_active=False)
    assert INVALID in Client().get(link_in(mail.outbox[0])).content.decode()


def test_a_corrected_address_voids_the_links_sent_to_the_old_one(admin, invitee):
    old_link = link_in(mail.outbox[0])
    services.change_email(invitee, "martin.gomez@demo.sysmo.ar", by=admin, request=None)

    assert INVALID in Client().get(old_link).content.decode()
    new_message = mail.outbox[-1]
    assert new_message.to == ["martin.gomez@demo.sysmo.ar"]
    assert Client().get(link_in(new_message)).status_code == 302


@pytest.mark.parametrize(("password", "again", "error"), [
    ("corta", "corta", "La contraseña es demasiado corta"),
    (PASSWORD, "mate-cocido-con-leche-32", "Las dos contraseñas no coinciden."),
    ("martin@demo.sysmo.ar", "martin@demo.sysmo.ar", "muy parecida al correo electrónico"),
])
def test_a_refused_password_keeps_the_invitation_waiting(invitee, password, again, error):
    browser = Client()
    form_url = open_link(browser, link_in(mail.outbox[0]))

    response = choose_password(browser, form_url, password, again)

    assert response.status_code == 400
    assert error in response.content.decode()
    invitee.refresh_from_db()
    assert invitee.invitation_pending and not invitee.has_usable_password()
    assert SESSION_KEY not in browser.session
    assert choose_password(browser, form_url).status_code == 302  # the link still works


def test_someone_logged_in_on_the_browser_is_logged_out_first(admin, invitee):
    browser = Client()
    browser.force_login(admin)

    form_url = open_link(browser, link_in(mail.outbox[0]))

    assert SESSION_KEY not in browser.session
    assert browser.get(form_url).context["invitee"] == invitee


def test_the_invitee_keeps_the_language_they_accepted_in(invitee):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    choose_password(browser, open_link(browser, link_in(mail.outbox[0])))
    invitee.refresh_from_db()
    assert invitee.language == "en"


def test_a_password_reset_link_also_ends_the_invitation(invitee):
    """Someone who asks for a reset link from the login page instead gets in too; the invitation is over."""
    browser = Client()
    browser.post(reverse("account_reset_password"), {"email": invitee.email})
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form = browser.get(link, follow=True)
    browser.post(form.redirect_chain[-1][0], {"password1": PASSWORD, "password2": PASSWORD})

    invitee.refresh_from_db()
    assert invitee.check_password(PASSWORD)
    assert not invitee.invitation_pending
    assert INVALID in Client().get(link_in(mail.outbox[0])).content.decode()


# --- Pending, on the users pages, and resending ------------------------------------------------------------


@pytest.mark.parametrize(("invited", "usable_password", "pending"), [
    (True, False, True), (True, True, False), (False, False, False), (False, True, False),
])
def test_pending_means_invited_and_no_password_yet_in_python_and_in_sql(admin, invited, usable_password, pending):
    person = OperatorFactory(password=TEST_PASSWORD if usable_password else None)
    if not usable_password:
        person.set_unusable_password()
        person.save()
    if invited:
        User.objects.filter(pk=person.pk).update(invited_at=person.date_joined)
    person.refresh_from_db()

    assert person.invitation_pending is pending
    assert User.objects.invitation_pending().filter(pk=person.pk).exists() is pending


def test_the_users_list_shows_and_filters_pending_invitations(admin_client, invitee):
    OperatorFactory(full_name="Diego Sánchez")
    response = admin_client.get(reverse("accounts:user_list"))
    assert "Invitación pendiente" in response.content.decode()
    assert "Invitar a una persona" in response.content.decode()

    pending = admin_client.get(reverse("accounts:user_list"), {"status": "pending"}).context["page"].object_list
    assert list(pending) == [invitee]


def test_the_page_of_a_pending_invitation_offers_to_resend_it_instead_of_a_reset(admin_client, invitee):
    response = admin_client.get(reverse("accounts:user_detail", args=[invitee.pk]))
    html = response.content.decode()
    assert "Invitación pendiente" in html
    assert response.context["may"]["resend_invitation"] is True
    assert response.context["may"]["reset_password"] is False
    assert "Reenviar invitación" in html and "Restablecer contraseña" not in html
    registro = [entry.summary for entry in response.context["audit"]]
    assert registro == ["Invitó a martin@demo.sysmo.ar como operador"]


def test_resending_sends_a_new_link_and_is_audited(admin_client, admin, invitee):
    first_link = link_in(mail.outbox[0])

    response = admin_client.post(reverse("accounts:user_resend_invitation", args=[invitee.pk]))

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second_link = link_in(mail.outbox[1])
    assert mail.outbox[1].to == [invitee.email]
    entry = AccountAuditEntry.objects.get(action=Action.INVITATION_RESENT)
    assert (entry.actor, entry.summary) == (admin, "Reenvió la invitación a martin@demo.sysmo.ar")
    # Either link works until one is used; then neither does.
    browser = Client()
    choose_password(browser, open_link(browser, second_link))
    assert INVALID in Client().get(first_link).content.decode()


@pytest.mark.parametrize("after", ["accepted", "deactivated"])
def test_there_is_nothing_to_resend_once_accepted_or_deactivated(admin_client, invitee, after):
    if after == "accepted":
        invitee.set_password(PASSWORD)
        invitee.save()
    else:
        User.objects.filter(pk=invitee.pk).update(is_active=False)

    response = admin_client.post(reverse("accounts:user_resend_invitation", args=[invitee.pk]), follow=True)

    assert "Esta cuenta ya no tiene una invitación pendiente." in response.content.decode()
    assert len(mail.outbox) == 1
    assert not AccountAuditEntry.objects.filter(action=Action.INVITATION_RESENT).exists()
