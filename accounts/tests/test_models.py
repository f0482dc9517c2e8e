import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.cuit import normalize_cuit
from accounts.models import Company, Role, User
from accounts.tests.factories import CompanyFactory, valid_cuit


@pytest.mark.parametrize(
    "typed", ["30-71234567-1", "30712345671", "30 71234567 1", " 30-71234567-1 "],
)
def test_cuit_is_normalised_however_typed(typed):
    assert normalize_cuit(typed) == "30-71234567-1"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("30-71234567-2", "dígito verificador"),
        ("3071234567", "11 dígitos"),
        ("abc", "11 dígitos"),
        ("", "11 dígitos"),
    ],
)
def test_invalid_cuit_is_refused_with_a_spanish_message(typed, message):
    with pytest.raises(ValidationError) as error:
        normalize_cuit(typed)
    assert message in error.value.messages[0]


def test_company_stores_cuit_normalised_and_unique(db):
    Company.objects.create(name="Ferretería Sur", cuit="30712345671")
    assert Company.objects.get().cuit == "30-71234567-1"
    with pytest.raises(IntegrityError):
        Company.objects.create(name="Otra", cuit="30 71234567 1")


def test_email_is_the_login_and_unique_whatever_its_case(db):
    user = User.objects.create_user("Ana.Perez@Example.com", "clave-segura-123", full_name="Ana Pérez")
    assert user.email == "ana.perez@example.com"
    assert User.objects.get_by_natural_key("ANA.PEREZ@example.com") == user
    assert not hasattr(user, "username")
    with pytest.raises(IntegrityError):
        User.objects.create_user("ana.perez@EXAMPLE.com", "otra-clave-123", full_name="Otra")


def test_case_insensitive_uniqueness_holds_in_the_database(db):
    User.objects.create(email="luis@example.com", full_name="Luis")
    with pytest.raises(IntegrityError):
        User.objects.create(email="LUIS@example.com", full_name="Luis bis")


@pytest.mark.parametrize(
    ("role", "client", "operator", "administrator"),
    [
        (Role.CLIENT, True, False, False),
        (Role.OPERATOR, False, True, False),
        (Role.ADMIN, False, True, True),
    ],
)
def test_roles(role, client, operator, administrator):
    user = User(email="x@example.com", role=role)
    assert (user.is_client, user.is_operator, user.is_administrator) == (client, operator, administrator)


def test_superuser_is_an_administrator(db):
    admin = User.objects.create_superuser("jefa@example.com", "clave-segura-123", full_name="Jefa")
    assert admin.is_administrator and admin.is_staff and admin.is_superuser


def test_factory_cuits_are_valid(db):
    assert normalize_cuit(valid_cuit(1)) == valid_cuit(1)
    assert CompanyFactory().cuit.count("-") == 2
