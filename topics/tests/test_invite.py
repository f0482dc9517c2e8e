"""Administrators invite operators and administrators by email: the page and topics.services.invite_staff."""

import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AccountAuditEntry, Role, User
from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from topics import services
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

Action = AccountAuditEntry.Action
INVITE = reverse("topics:invite")
EMAIL = "martin.gomez@demo.sysmo.ar"


@pytest.fixture
def admin():
    return verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def soporte():
    return TopicFactory(name="Soporte técnico")


def form_data(**overrides):
    return {"full_name": "Martín Gómez", "email": EMAIL, "role": "operator", "phone": "", **overrides}


def test_an_invitation_creates_an_operator_without_password_with_topics_audit_and_one_email(admin_client, admin,
                                                                                             soporte):
    TopicFactory(name="Facturación")

    response = admin_client.post(INVITE, form_data(email="Martin.Gomez@Demo.Sysmo.ar", topics=[soporte.pk],
                                                   phone="011 4321-5678"))

    invitee = User.objects.get(email=EMAIL)  # stored in lower case
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[invitee.pk])
    assert (invitee.role, invitee.full_name, invitee.phone, invitee.company) == (
        Role.OPERATOR, "Martín Gómez", "+541143215678", None)
    assert not invitee.has_usable_password()
    assert invitee.invitation_pending and invitee.is_active
    assert list(invitee.topics.all()) == [soporte]
    address = EmailAddress.objects.get(user=invitee)
    assert (address.email, address.primary, address.verified) == (EMAIL, True, False)
    audit = list(AccountAuditEntry.objects.filter(target=invitee).order_by("id"))
    assert [(entry.action, entry.actor) for entry in audit] == [(Action.INVITED, admin), (Action.TOPICS_CHANGED, admin)]
    assert audit[0].detail == {"email": EMAIL, "role": "operator"}
    assert audit[0].summary == f"Invitó a {EMAIL} como operador"

    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "Te invitaron a Sysmo Tickets"
    assert "Laura Fernández te invitó a Sysmo Tickets como operador." in message.body
    assert "Vas a atender las solicitudes de: Soporte técnico." in message.body
    assert "Sirve una sola vez y vence el" in message.body
    link = re.search(r"https?://\S+/invitacion/[0-9a-z]+-\S+/", message.body).group(0)
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html
    assert message.extra_headers["Content-Language"] == "es-ar"


def test_an_administrator_may_be_invited_without_topics(admin_client):
    admin_client.post(INVITE, form_data(role="admin"))

    invitee = User.objects.get(email=EMAIL)
    assert invitee.role == Role.ADMIN and not invitee.topics.exists()
    assert "como administrador." in mail.outbox[0].body
    assert "Vas a atender" not in mail.outbox[0].body


@pytest.mark.parametrize(("language", "html_lang"), [("en", "en"), ("es-ar", "es-ar")])
def test_the_invitee_hears_in_the_inviting_administrators_language(client, soporte, language, html_lang):
    admin = verified(AdminFactory(language=language))
    client.force_login(admin)

    client.post(INVITE, form_data(topics=[soporte.pk]))

    assert User.objects.get(email=EMAIL).language == language
    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == language
    assert f'<html lang="{html_lang}">' in message.alternatives[0][0]


def _taken_by_a_verified_second_address():
    owner = verified(ClientFactory(email="otra@example.com"))
    EmailAddress.objects.create(user=owner, email=EMAIL, verified=True, primary=False)


BAD_INPUT = {
    "address taken, other capitals": (lambda: OperatorFactory(email=EMAIL), {"email": EMAIL.upper()}, "email",
                                      "Ya hay una cuenta con ese correo electrónico."),
    "address proved by another account": (_taken_by_a_verified_second_address, {}, "email",
                                          "Ya hay una cuenta con ese correo electrónico."),
    "not an address": (lambda: None, {"email": "martin@"}, "email", "Escribí un correo electrónico válido"),
    "no name": (lambda: None, {"full_name": "  "}, "full_name", "Este campo es obligatorio."),
    "a client": (lambda: None, {"role": "client"}, "role", "Elegí operador o administrador."),
    "no role": (lambda: None, {"role": ""}, "role", "Elegí operador o administrador."),
    "a wrong phone": (lambda: None, {"phone": "123"}, "phone", "Ingresá un teléfono válido"),
    "an inactive topic": (lambda: TopicFactory(name="Vieja", is_active=False).pk, {"topics": ["{setup}"]}, "topics",
                          "Elegí temáticas activas de la lista."),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_told_next_to_its_field_and_creates_nothing(admin_client, soporte, case):
    setup, overrides, field, error = BAD_INPUT[case]
    made = setup()
    overrides = {key: [made] if value == ["{setup}"] else value for key, value in overrides.items()}
    users_before, addresses_before = User.objects.count(), EmailAddress.objects.count()

    response = admin_client.post(INVITE, form_data(**overrides))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert error in " ".join(errors[field])
    assert error in response.content.decode()
    assert (User.objects.count(), EmailAddress.objects.count()) == (users_before, addresses_before)
    assert not AccountAuditEntry.objects.exists()
    assert mail.outbox == []


def test_the_page_offers_staff_roles_and_active_topics(admin_client, soporte):
    TopicFactory(name="Vieja", is_active=False)

    form = admin_client.get(INVITE).context["form"]

    assert [value for value, _ in form.fields["role"].choices] == ["operator", "admin"]
    assert list(form.fields["topics"].queryset) == [soporte]
    assert form.fields["phone"].required is False


def test_the_invitation_is_one_transaction(admin, soporte):
    with mock.patch("mail.outbox.send_templated", side_effect=RuntimeError("templates missing")), \
            pytest.raises(RuntimeError):
        services.invite_staff(email=EMAIL, full_name="Martín Gómez", role="operator", topics=[soporte], by=admin)

    assert not User.objects.filter(email=EMAIL).exists()
    assert not soporte.operators.exists()
    assert not AccountAuditEntry.objects.exists()


def test_the_service_refuses_a_taken_address_and_a_client_role(admin):
    OperatorFactory(email=EMAIL)
    with pytest.raises(ValidationError) as taken:
        services.invite_staff(email=EMAIL.upper(), full_name="Otro", role="operator", by=admin)
    assert taken.value.message_dict == {"email": ["Ya hay una cuenta con ese correo electrónico."]}
    with pytest.raises(ValidationError) as client_role:
        services.invite_staff(email="nuevo@example.com", full_name="Otro", role="client", by=admin)
    assert list(client_role.value.message_dict) == ["role"]
    assert User.objects.count() == 2


def test_a_race_on_the_address_ends_as_a_form_error(admin_client):
    """Another administrator invites the same address between the form's check and the write."""
    with mock.patch("accounts.forms.email_taken", return_value=False), \
            mock.patch("accounts.selectors.email_taken", return_value=False):
        OperatorFactory(email=EMAIL)
        response = admin_client.post(INVITE, form_data())

    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["Ya hay una cuenta con ese correo electrónico."]}
    assert User.objects.filter(email=EMAIL).count() == 1
    assert mail.outbox == []
