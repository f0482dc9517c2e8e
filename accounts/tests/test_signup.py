"""Self-registration: the brief's fields, CUIT and phone validation, one company per CUIT, mandatory verification."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import Company, Role, User
from accounts.tests.factories import CompanyFactory, valid_cuit
from mail.models import OutboxMessage

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")
PASSWORD = "mate-con-facturas-1987"


def form_data(**changes):
    data = {
        "email": "ana.martinez@panaderia.com.ar",
        "company_name": "Panadería La Espiga S.R.L.",
        "cuit": "30-71876543-5",
        "full_name": "Ana Martínez",
        "phone": "011 4321-5678",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(changes)
    return data


def confirmation_link(message):
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)


def test_the_form_asks_exactly_the_briefs_fields_in_order(client):
    form = client.get(SIGNUP).context["form"]

    assert list(form.fields) == ["email", "company_name", "cuit", "full_name", "phone", "password1", "password2"]
    assert [str(form.fields[name].label) for name in form.fields] == [
        "Correo electrónico", "Nombre de la empresa", "CUIT", "Nombre y apellido", "Teléfono de contacto",
        "Contraseña", "Repetí la contraseña",
    ]
    assert "username" not in client.get(SIGNUP).content.decode()


def test_a_sign_up_creates_an_unverified_client_of_the_company_and_sends_the_verification_email(client):
    response = client.post(SIGNUP, form_data(email="Ana.Martinez@Panaderia.com.ar", cuit="30718765435"))

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email == "ana.martinez@panaderia.com.ar"
    assert (user.full_name, user.role, user.phone) == ("Ana Martínez", Role.CLIENT, "+541143215678")
    assert user.phone_display == "011 4321-5678"
    assert (user.company.name, user.company.cuit) == ("Panadería La Espiga S.R.L.", "30-71876543-5")
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified is False
    [message] = mail.outbox
    assert message.to == ["ana.martinez@panaderia.com.ar"]
    assert "Confirmá tu correo electrónico" in message.subject
    assert confirmation_link(message)
    assert "_auth_user_id" not in client.session  # not logged in until verified


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("cuit", "30-71876543-6", "dígito verificador"),
        ("cuit", "30-7187654", "11 dígitos"),
        ("phone", "123", "teléfono válido"),
        ("email", "no-es-un-correo", None),
        ("full_name", "", None),
        ("company_name", "", None),
        ("password1", "corta1", "por lo menos 10 caracteres"),
        ("password1", "8302749165837", "completamente por dígitos"),
        ("password1", "password123", "demasiado común"),
        ("password1", "ana.martinez@panaderia", "muy parecida al correo electrónico"),
        ("password1", "anamartinez2026", "muy parecida al nombre"),
        ("password2", "otra-cosa-distinta-99", "Las dos contraseñas no coinciden."),
    ],
)
def test_an_error_is_shown_in_spanish_next_to_its_field_and_nothing_is_created(client, field, value, error):
    data = form_data(**{field: value})
    if field == "password1":
        data["password2"] = value

    response = client.post(SIGNUP, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if error:
        assert error.lower() in " ".join(map(str, errors[field])).lower()
    assert User.objects.count() == Company.objects.count() == EmailAddress.objects.count() == 0
    assert mail.outbox == []
    assert 'class="invalid-feedback' in response.content.decode()


def test_clients_with_the_same_cuit_however_typed_share_one_company_and_it_keeps_its_first_name(client):
    client.post(SIGNUP, form_data())
    client.post(SIGNUP, form_data(email="jorge@panaderia.com.ar", cuit="30 71876543 5", company_name="La Espiga"))

    company = Company.objects.get()
    assert company.name == "Panadería La Espiga S.R.L."
    assert set(company.users.values_list("email", flat=True)) == {
        "ana.martinez@panaderia.com.ar", "jorge@panaderia.com.ar",
    }


def test_a_company_created_by_an_administrator_is_joined_not_renamed(client):
    existing = CompanyFactory(name="Estudio Ríos", cuit=valid_cuit(71234569))

    client.post(SIGNUP, form_data(cuit=existing.cuit.replace("-", ""), company_name="Otro nombre"))

    assert User.objects.get().company == existing
    existing.refresh_from_db()
    assert existing.name == "Estudio Ríos"


def test_the_account_cannot_log_in_until_the_link_is_followed(client):
    client.post(SIGNUP, form_data())
    [message] = mail.outbox

    response = client.post(LOGIN, {"login": "ana.martinez@panaderia.com.ar", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    link = confirmation_link(message)
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get().verified

    response = client.post(LOGIN, {"login": "ANA.MARTINEZ@panaderia.com.ar", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get().pk


def test_the_link_can_be_asked_again_by_logging_in(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": None}
    client.post(SIGNUP, form_data())
    mail.outbox.clear()

    client.post(LOGIN, {"login": "ana.martinez@panaderia.com.ar", "password": PASSWORD})

    [again] = mail.outbox
    assert again.to == ["ana.martinez@panaderia.com.ar"]
    assert confirmation_link(again)


def test_the_verification_email_goes_through_the_outbox(client, outbox_mail, django_capture_on_commit_callbacks):
    outbox_mail.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, form_data())

    row = OutboxMessage.objects.get()
    assert row.to == ["ana.martinez@panaderia.com.ar"]
    assert "/accounts/confirm-email/" in row.body
    assert row.status == OutboxMessage.Status.SENT  # delivered in process after commit (no broker)
