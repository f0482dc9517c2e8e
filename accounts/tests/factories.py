import factory
from stdnum.ar import cuit as stdnum_cuit

from accounts.models import Company, Role, User

TEST_PASSWORD = "clave-de-prueba-2026"


def valid_cuit(serial):
    """A valid CUIT for a company (prefix 30) built from a serial number."""
    body = f"30{serial:08d}"
    return stdnum_cuit.format(body + stdnum_cuit.calc_check_digit(body))


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("cuit",)

    name = factory.Sequence(lambda n: f"Empresa {n} S.A.")
    cuit = factory.Sequence(lambda n: valid_cuit(70000000 + n))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"usuario{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Usuario {n}")
    role = Role.CLIENT
    company = factory.Maybe(
        factory.LazyAttribute(lambda u: u.role == Role.CLIENT), factory.SubFactory(CompanyFactory), None
    )
    password = factory.django.Password(TEST_PASSWORD)


class ClientFactory(UserFactory):
    role = Role.CLIENT


class OperatorFactory(UserFactory):
    role = Role.OPERATOR


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True


def verified(user):
    """Give the user the verified primary address allauth requires before letting anyone log in."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user
