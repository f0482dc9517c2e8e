"""The administrators' users pages: search, role, deactivate/reactivate, password reset, and their audit lines."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccountAuditEntry, Company, Role, User
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, OperatorFactory, verified

pytestmark = pytest.mark.django_db

Action = AccountAuditEntry.Action
USERS = reverse("accounts:user_list")


@pytest.fixture
def admin():
    return verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def detail(user):
    return reverse("accounts:user_detail", args=[user.pk])


# --- Search -----------------------------------------------------------------------------------------------


@pytest.fixture
def people():
    espiga = Company.objects.create(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    rios = Company.objects.create(name="Estudio Contable Ríos", cuit="30-71234569-8")
    return {
        "ana": ClientFactory(email="ana@espiga.com.ar", full_name="Ana Martínez", company=espiga),
        "jorge": ClientFactory(email="jorge@espiga.com.ar", full_name="Jorge Pereyra", company=espiga),
        "ricardo": ClientFactory(email="ricardo@rios.com.ar", full_name="Ricardo Ríos", company=rios),
        "martin": OperatorFactory(email="martin@demo.sysmo.ar", full_name="Martín Gómez"),
    }


def found(admin_client, **params):
    page = admin_client.get(USERS, params).context["page"]
    return {user.email.split("@")[0] for user in page.object_list} - {"laura"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ana@espiga", {"ana"}),
        ("PEREYRA", {"jorge"}),
        ("espiga", {"ana", "jorge"}),  # company name (and their emails)
        ("30-71876543-5", {"ana", "jorge"}),
        ("30718765435", {"ana", "jorge"}),
        ("30 71876543 5", {"ana", "jorge"}),
        ("3071234", {"ricardo"}),  # the start of a CUIT typed without dashes
        ("71234569", {"ricardo"}),  # its middle part
        ("nadie", set()),
    ],
)
def test_search_by_email_name_company_or_cuit_with_or_without_dashes(admin_client, people, q, expected):
    assert found(admin_client, q=q) == expected


def test_filters_by_role_and_status_and_ignores_unknown_values(admin_client, people):
    User.objects.filter(pk=people["jorge"].pk).update(is_active=False)

    assert found(admin_client, role="operator") == {"martin"}
    assert found(admin_client, status="inactive") == {"jorge"}
    assert found(admin_client, role="client", status="unverified") == {"ana", "ricardo"}  # never confirmed
    verified(people["ana"])
    assert found(admin_client, role="client", status="active") == {"ana"}
    response = admin_client.get(USERS, {"role": "is_superuser", "status": "__all__"})
    assert response.status_code == 200
    assert found(admin_client, role="is_superuser") == {"ana", "jorge", "ricardo", "martin"}  # unknown: ignored


def test_the_list_is_paginated_with_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    company = Company.objects.create(name="Grande S.A.", cuit="30-71234567-1")
    for n in range(60):
        ClientFactory(company=company, email=f"c{n:02d}@grande.com.ar")

    with django_assert_max_num_queries(6):
        first = admin_client.get(USERS, {"q": "grande"})
    assert len(first.context["page"].object_list) == 25
    third = admin_client.get(USERS, {"q": "grande", "pagina": 3})
    assert len(third.context["page"].object_list) == 10
    page = first.content.decode()
    assert "q=grande&amp;pagina=2" in page  # the search travels with the pages
    assert "Página 1 de 3" in page


def test_the_user_page_shows_the_phone_in_national_format(admin_client):
    client_user = ClientFactory(phone="+5491155551234")
    page = admin_client.get(detail(client_user)).content.decode()
    assert "011 15-5555-1234" in page
    assert client_user.company.cuit in page


# --- Role --------------------------------------------------------------------------------------------------


def test_an_administrator_changes_a_role_and_the_audit_line_appears(admin_client, admin):
    target = ClientFactory(full_name="Jorge Pereyra")

    response = admin_client.post(reverse("accounts:user_role", args=[target.pk]), {"role": "operator"})

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.OPERATOR
    entry = AccountAuditEntry.objects.get()
    assert (entry.actor, entry.target, entry.action) == (admin, target, Action.ROLE_CHANGED)
    page = admin_client.get(detail(target)).content.decode()
    assert "Cambió el rol de Cliente a Operador" in page
    assert "Laura Fernández" in page


def test_an_unknown_role_is_refused(admin_client):
    target = ClientFactory()
    admin_client.post(reverse("accounts:user_role", args=[target.pk]), {"role": "superuser"})
    target.refresh_from_db()
    assert target.role == Role.CLIENT
    assert not AccountAuditEntry.objects.exists()


def test_an_administrator_cannot_change_their_own_role_or_deactivate_themselves(admin_client, admin):
    admin_client.post(reverse("accounts:user_role", args=[admin.pk]), {"role": "client"})
    admin_client.post(reverse("accounts:user_deactivate", args=[admin.pk]))

    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)
    assert not AccountAuditEntry.objects.exists()
    page = admin_client.get(detail(admin)).content.decode()
    assert reverse("accounts:user_role", args=[admin.pk]) not in page
    assert reverse("accounts:user_deactivate", args=[admin.pk]) not in page


# --- Deactivate and reactivate ---------------------------------------------------------------------------------


def test_deactivating_ends_the_users_open_sessions_at_once_and_reactivating_lets_them_back(admin_client, admin):
    target = verified(ClientFactory(email="ana@example.com"))
    their_browser = Client()
    their_browser.post(reverse("account_login"), {"login": target.email, "password": TEST_PASSWORD})
    assert their_browser.get(reverse("accounts:profile")).status_code == 200

    admin_client.post(reverse("accounts:user_deactivate", args=[target.pk]))

    assert their_browser.get(reverse("accounts:profile")).status_code == 302
    response = their_browser.post(reverse("account_login"), {"login": target.email, "password": TEST_PASSWORD})
    assert response.url == reverse("account_inactive")

    admin_client.post(reverse("accounts:user_reactivate", args=[target.pk]))

    response = their_browser.post(reverse("account_login"), {"login": target.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url != reverse("account_inactive")
    assert their_browser.get(reverse("accounts:profile")).status_code == 200
    assert list(AccountAuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        Action.DEACTIVATED, Action.REACTIVATED,
    ]
    page = admin_client.get(detail(target)).content.decode()
    assert "Desactivó la cuenta" in page and "Reactivó la cuenta" in page


# --- Password reset ---------------------------------------------------------------------------------------------


def test_an_administrator_resets_a_password_the_client_gets_a_one_time_link_and_no_password_is_shown(
    admin_client, admin
):
    target = verified(ClientFactory(email="valeria@example.com", full_name="Valeria Acosta"))
    old_hash = target.password

    response = admin_client.post(reverse("accounts:user_reset_password", args=[target.pk]), follow=True)

    page = response.content.decode()
    assert "Le enviamos a valeria@example.com un enlace" in page
    assert "Envió un enlace para restablecer la contraseña a valeria@example.com" in page
    assert not re.search(r'type="password"', page)
    target.refresh_from_db()
    assert target.password == old_hash  # nothing chosen for them: the old password works until they pick one
    [message] = mail.outbox
    assert message.to == ["valeria@example.com"]
    assert "Elegí una contraseña nueva" in message.subject
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)
    entry = AccountAuditEntry.objects.get()
    assert (entry.actor, entry.target, entry.action) == (admin, target, Action.PASSWORD_RESET_SENT)

    # The client follows the link once, picks a password, and the link is spent.
    theirs = Client()
    form_page = theirs.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    theirs.post(set_url, {"password1": "nueva-clave-segura-42", "password2": "nueva-clave-segura-42"})
    target.refresh_from_db()
    assert target.check_password("nueva-clave-segura-42")
    assert Client().get(link, follow=True).context["token_fail"]


def test_a_deactivated_account_gets_no_reset_link(admin_client):
    target = ClientFactory(is_active=False)
    admin_client.post(reverse("accounts:user_reset_password", args=[target.pk]))
    assert mail.outbox == []
    assert not AccountAuditEntry.objects.exists()


# --- Navigation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "sees_admin_links"), [(ClientFactory, False), (OperatorFactory, False), (AdminFactory, True)]
)
def test_the_menu_offers_the_administrators_pages_only_to_administrators(client, factory, sees_admin_links):
    client.force_login(factory())
    page = client.get(reverse("accounts:profile")).content.decode()

    assert f'href="{reverse("accounts:profile")}"' in page  # "Mi perfil", for everyone
    for url in (USERS, reverse("topics:list"), reverse("mail:outbox")):
        assert (f'href="{url}"' in page) is sees_admin_links


def test_the_current_administrators_page_is_marked_in_the_menu(admin_client):
    page = admin_client.get(USERS).content.decode()
    assert re.search(r'class="nav-link active" aria-current="page"\s+href="/usuarios/"', page)
