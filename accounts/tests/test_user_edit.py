"""Administrators edit a person's name and phone, and change their address: a proved address changes only once
the new one confirms (the old one is told); one never proved is replaced at once. Every change is audited."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AccountAuditEntry, Role, User
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, OperatorFactory, verified

pytestmark = pytest.mark.django_db

Action = AccountAuditEntry.Action
OLD = "diego@demo.sysmo.ar"
NEW = "diego.sanchez@demo.sysmo.ar"
CONFIRM_LINK = re.compile(r"https?://testserver(/accounts/confirm-email/\S+/)")


@pytest.fixture
def admin():
    return verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def diego():
    return verified(OperatorFactory(email=OLD, full_name="Diego Sánchez", phone="+541143215678", language="en"))


def edit(user):
    return reverse("accounts:user_edit", args=[user.pk])


def change_email_url(user):
    return reverse("accounts:user_email", args=[user.pk])


# --- Name and phone --------------------------------------------------------------------------------------------


def test_the_page_shows_the_current_data(admin_client, diego):
    response = admin_client.get(edit(diego))
    assert response.status_code == 200
    assert response.context["details_form"].initial == {"full_name": "Diego Sánchez", "phone": "011 4321-5678"}
    assert response.context["may_change_email"] is True


def test_an_administrator_changes_name_and_phone_and_it_is_audited(admin_client, admin, diego):
    response = admin_client.post(edit(diego), {"full_name": " Diego A. Sánchez ", "phone": "11 5555-1234"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[diego.pk])
    diego.refresh_from_db()
    assert (diego.full_name, diego.phone) == ("Diego A. Sánchez", "+541155551234")
    entry = AccountAuditEntry.objects.get()
    assert (entry.actor, entry.action) == (admin, Action.DETAILS_CHANGED)
    assert entry.detail == {"full_name": ["Diego Sánchez", "Diego A. Sánchez"],
                            "phone": ["+541143215678", "+541155551234"]}
    assert entry.summary == ("Cambió el nombre de «Diego Sánchez» a «Diego A. Sánchez» y el teléfono de "
                             "011 4321-5678 a 011 5555-1234")


def test_only_what_changed_is_written(admin_client, diego):
    admin_client.post(edit(diego), {"full_name": "Diego Sánchez", "phone": ""})
    assert AccountAuditEntry.objects.get().detail == {"phone": ["+541143215678", ""]}
    assert AccountAuditEntry.objects.get().summary == "Cambió el teléfono de 011 4321-5678 a —"
    admin_client.post(edit(diego), {"full_name": "Diego Sánchez Paz", "phone": ""})
    assert AccountAuditEntry.objects.latest("id").summary == "Cambió el nombre de «Diego Sánchez» a «Diego Sánchez Paz»"

    response = admin_client.post(edit(diego), {"full_name": "Diego Sánchez Paz", "phone": ""}, follow=True)
    assert AccountAuditEntry.objects.count() == 2
    assert "No cambiaste nada." in response.content.decode()


@pytest.mark.parametrize(("factory", "phone_required"), [(ClientFactory, True), (OperatorFactory, False),
                                                         (AdminFactory, False)])
def test_a_phone_is_required_of_clients_only(admin_client, factory, phone_required):
    person = factory(phone="+541143215678")

    response = admin_client.post(edit(person), {"full_name": "Nombre Nuevo", "phone": ""})

    person.refresh_from_db()
    if phone_required:
        assert response.status_code == 400
        assert response.context["details_form"].errors == {"phone": ["Este campo es obligatorio."]}
        assert (person.full_name, person.phone) != ("Nombre Nuevo", "")
    else:
        assert response.status_code == 302
        assert (person.full_name, person.phone) == ("Nombre Nuevo", "")


@pytest.mark.parametrize(("data", "field"), [
    ({"full_name": "", "phone": "011 4321-5678"}, "full_name"),
    ({"full_name": "Diego", "phone": "12"}, "phone"),
    ({"full_name": "D" * 151, "phone": ""}, "full_name"),
])
def test_bad_data_is_told_next_to_its_field_and_changes_nothing(admin_client, diego, data, field):
    response = admin_client.post(edit(diego), data)

    assert response.status_code == 400
    assert list(response.context["details_form"].errors) == [field]
    diego.refresh_from_db()
    assert (diego.full_name, diego.phone) == ("Diego Sánchez", "+541143215678")
    assert not AccountAuditEntry.objects.exists()


def test_the_own_profile_asks_staff_no_phone_either(client, diego):
    client.force_login(diego)
    response = client.post(reverse("accounts:profile"), {"full_name": "Diego Sánchez", "phone": ""})
    assert response.status_code == 302
    diego.refresh_from_db()
    assert diego.phone == ""


# --- The address -------------------------------------------------------------------------------------------------


def test_a_proved_address_changes_only_when_the_new_one_confirms_and_the_old_one_is_told(admin_client, admin,
                                                                                         diego):
    response = admin_client.post(change_email_url(diego), {"email": "Diego.Sanchez@Demo.Sysmo.ar"}, follow=True)

    assert f"Le enviamos un enlace a {NEW}. El correo cambia cuando lo abra" in response.content.decode()
    diego.refresh_from_db()
    assert diego.email == OLD  # not yet
    assert EmailAddress.objects.get(user=diego, email=NEW).verified is False
    entry = AccountAuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.detail) == (admin, Action.EMAIL_CHANGE_REQUESTED,
                                                         {"before": OLD, "after": NEW})
    [confirmation] = mail.outbox
    assert confirmation.to == [NEW]
    assert confirmation.body.startswith("Hello!")  # in Diego's language, not the administrator's
    page = admin_client.get(reverse("accounts:user_detail", args=[diego.pk]))
    assert page.context["pending_email"].email == NEW
    assert f"Cambia a {NEW} cuando lo confirme" in page.content.decode()
    # Until then Diego logs in with the old address.
    assert Client().login(email=OLD, password=TEST_PASSWORD)

    link = CONFIRM_LINK.search(confirmation.body).group(1)
    Client().post(link)  # Diego, from the new mailbox, not logged in

    diego.refresh_from_db()
    assert diego.email == NEW
    assert list(EmailAddress.objects.filter(user=diego).values_list("email", "verified", "primary")) == [
        (NEW, True, True)]
    [notice] = [message for message in mail.outbox if message.to == [OLD]]
    assert f"{OLD} to {NEW}" in notice.body or f"{OLD} a {NEW}" in notice.body


def test_a_new_request_replaces_the_one_waiting(admin_client, diego):
    admin_client.post(change_email_url(diego), {"email": NEW})
    admin_client.post(change_email_url(diego), {"email": "diego.s@demo.sysmo.ar"})

    assert list(EmailAddress.objects.filter(user=diego, verified=False).values_list("email", flat=True)) == [
        "diego.s@demo.sysmo.ar"]
    first_link = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    Client().post(first_link)
    diego.refresh_from_db()
    assert diego.email == OLD


def test_an_address_never_proved_is_replaced_at_once_and_confirmed_from_the_new_one(admin_client, admin):
    """A sign-up that never confirmed its address: nobody could log in with it, so it is simply corrected."""
    ana = ClientFactory(email="ana@espiga.con.ar")
    EmailAddress.objects.create(user=ana, email=ana.email, verified=False, primary=True)

    response = admin_client.post(change_email_url(ana), {"email": "ana@espiga.com.ar"}, follow=True)

    assert "Cambiaste el correo a ana@espiga.com.ar y le enviamos un enlace para confirmarlo." in (
        response.content.decode())
    ana.refresh_from_db()
    assert ana.email == "ana@espiga.com.ar"
    assert list(EmailAddress.objects.filter(user=ana).values_list("email", "verified")) == [
        ("ana@espiga.com.ar", False)]
    [confirmation] = mail.outbox
    assert confirmation.to == ["ana@espiga.com.ar"]
    assert AccountAuditEntry.objects.get().summary == "Cambió el correo de ana@espiga.con.ar a ana@espiga.com.ar"
    Client().post(CONFIRM_LINK.search(confirmation.body).group(1))
    assert EmailAddress.objects.get(user=ana).verified


def test_an_account_without_any_address_row_keeps_an_address(admin_client):
    """Made in Django's admin: no EmailAddress at all. The change never leaves it without an email."""
    person = OperatorFactory(email="sin.fila@example.com")

    admin_client.post(change_email_url(person), {"email": "con.fila@example.com"})

    person.refresh_from_db()
    assert person.email == "con.fila@example.com"


def test_correcting_a_pending_invitation_sends_it_to_the_new_address(admin_client, admin):
    invitee = services.create_invited_user(email="martn@demo.sysmo.ar", full_name="Martín Gómez",
                                           role=Role.OPERATOR, by=admin)
    page = admin_client.get(edit(invitee)).content.decode()
    assert "Cambiar correo y reenviar la invitación" in page

    response = admin_client.post(change_email_url(invitee), {"email": "martin@demo.sysmo.ar"}, follow=True)

    assert "le enviamos la invitación ahí" in response.content.decode()
    invitee.refresh_from_db()
    assert invitee.email == "martin@demo.sysmo.ar" and invitee.invitation_pending
    [invitation] = mail.outbox
    assert invitation.to == ["martin@demo.sysmo.ar"] and invitation.subject == "Te invitaron a Sysmo Tickets"


def _taken():
    OperatorFactory(email="ocupado@example.com")


def _proved_by_another():
    other = verified(ClientFactory(email="otra@example.com"))
    EmailAddress.objects.create(user=other, email="ocupado@example.com", verified=True, primary=False)


@pytest.mark.parametrize(("setup", "email", "error"), [
    (_taken, "OCUPADO@example.com", "Ya hay una cuenta con ese correo electrónico."),
    (_proved_by_another, "ocupado@example.com", "Ya hay una cuenta con ese correo electrónico."),
    (lambda: None, OLD.upper(), "Ese ya es su correo electrónico."),
    (lambda: None, "diego@", "Escribí un correo electrónico válido"),
    (lambda: None, "", "Este campo es obligatorio."),
])
def test_a_refused_address_is_told_next_to_the_field_and_changes_nothing(admin_client, diego, setup, email, error):
    setup()
    addresses = list(EmailAddress.objects.order_by("pk").values_list("email", "verified"))

    response = admin_client.post(change_email_url(diego), {"email": email})

    assert response.status_code == 400
    assert error in " ".join(response.context["email_form"].errors["email"])
    assert error in response.content.decode()
    diego.refresh_from_db()
    assert diego.email == OLD
    assert list(EmailAddress.objects.order_by("pk").values_list("email", "verified")) == addresses
    assert mail.outbox == [] and not AccountAuditEntry.objects.exists()


@pytest.mark.parametrize("whose", ["own", "deactivated"])
def test_not_the_own_address_nor_a_deactivated_accounts(admin_client, admin, diego, whose):
    target = admin if whose == "own" else diego
    if whose == "deactivated":
        User.objects.filter(pk=diego.pk).update(is_active=False)
    before = target.email

    page = admin_client.get(edit(target))
    response = admin_client.post(change_email_url(target), {"email": "nuevo@example.com"}, follow=True)

    assert page.context["may_change_email"] is False
    assert "nuevo@example.com" not in EmailAddress.objects.values_list("email", flat=True)
    target.refresh_from_db()
    assert target.email == before
    assert "No se puede cambiar el correo de esta cuenta desde acá." in response.content.decode()
    assert mail.outbox == []
