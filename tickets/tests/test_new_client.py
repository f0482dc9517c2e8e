"""Staff create a client on the spot while filing their request (issue 13, item 1): one transaction, the
invitation link to choose a password and prove the address, the usual receipt."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccountAuditEntry, Company, Role, User
from accounts.tests.factories import CompanyFactory, valid_cuit
from accounts.tests.test_invitations import choose_password, link_in, open_link
from tickets import services
from tickets.models import Channel, EventKind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]
URL = reverse("tickets:create")
NEW_CUIT = valid_cuit(71234567)


def new_client(**extra):
    return {"cliente_nombre": "Nora Nueva", "cliente_correo": "Nora@Ferreteria.com.ar",
            "cliente_telefono": "011 4321-5678", "cliente_empresa": "Ferretería El Tornillo", "cliente_cuit": NEW_CUIT,
            **extra}


def filed(client, world, **extra):
    data = {"topic": world.topic.pk, "subject": "No anda el sistema", "description": "Llamó recién.",
            "channel": Channel.PHONE, **extra}
    return client.post(URL, data, follow=True)


def nora():
    return User.objects.filter(email="nora@ferreteria.com.ar").first()


@pytest.mark.parametrize("who", ["topic operator", "other operator", "administrator"])
def test_staff_create_the_client_and_file_the_request_at_once(client, world, who):
    client.force_login(world[who])
    mail.outbox.clear()
    response = filed(client, world, **new_client())

    person = nora()
    ticket = Ticket.objects.get(subject="No anda el sistema")
    assert (person.role, person.full_name, person.phone, person.company.name, person.company.cuit) == (
        Role.CLIENT, "Nora Nueva", "+541143215678", "Ferretería El Tornillo", NEW_CUIT)
    assert person.invitation_pending and not person.has_usable_password()
    assert not EmailAddress.objects.get(user=person).verified
    assert (ticket.requester, ticket.company, ticket.channel) == (person, person.company, Channel.PHONE)
    assert ticket.events.get(kind=EventKind.CREATED).actor == world[who]
    audit = AccountAuditEntry.objects.get(target=person)
    assert (audit.actor, audit.action, audit.detail["role"]) == (world[who], "invited", "client")
    to_nora = sorted(m.subject for m in mail.outbox if m.to == ["nora@ferreteria.com.ar"])
    assert len(to_nora) == 2 and "elegí tu contraseña" in to_nora[1] and "Recibimos tu solicitud" in to_nora[0]
    assert "Le enviamos el comprobante y un enlace" in response.content.decode()


def test_the_new_client_sets_their_password_and_answers_on_the_web(client, world):
    client.force_login(world["topic operator"])
    mail.outbox.clear()
    filed(client, world, **new_client())
    invitation = next(m for m in mail.outbox if "contraseña" in m.subject)
    assert "cargó tu pedido" in invitation.body

    browser = Client()
    form_url = open_link(browser, link_in(invitation))
    assert choose_password(browser, form_url).status_code == 302
    person = nora()
    assert person.has_usable_password() and EmailAddress.objects.get(user=person).verified
    ticket = Ticket.objects.get(subject="No anda el sistema")
    assert browser.get(ticket.get_absolute_url()).status_code == 200
    browser.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Sigue sin andar."})
    assert ticket.interventions.get().author == person


def test_an_existing_company_needs_no_cuit(client, world):
    client.force_login(world["topic operator"])
    filed(client, world, **new_client(cliente_empresa="panadería la espiga s.r.l.", cliente_cuit=""))
    assert nora().company == world["requester"].company
    assert Company.objects.filter(name__icontains="Tornillo").count() == 0


def test_an_existing_company_found_by_its_cuit_keeps_its_name(client, world):
    company = world["requester"].company
    client.force_login(world["topic operator"])
    filed(client, world, **new_client(cliente_empresa="", cliente_cuit=company.cuit.replace("-", "")))
    assert nora().company == company and company.name == "Panadería La Espiga S.R.L."


# A fault in the new client's data: the field it shows next to, part of the message. Nothing is written.
BAD = {
    "no name": ({"cliente_nombre": ""}, "cliente_nombre", "Escribí el nombre"),
    "no email": ({"cliente_correo": ""}, "cliente_correo", "Escribí su correo"),
    "a bad email": ({"cliente_correo": "nora@"}, "cliente_correo", "correo electrónico válido"),
    "a taken email": ({"cliente_correo": "RITA@example.com"}, "cliente_correo", "Ya hay una cuenta"),
    "a bad phone": ({"cliente_telefono": "123"}, "cliente_telefono", "teléfono válido"),
    "a bad CUIT": ({"cliente_cuit": "30-71234567-0"}, "cliente_cuit", "dígito verificador"),
    "a short CUIT": ({"cliente_cuit": "3071234"}, "cliente_cuit", "11 dígitos"),
    "a new company without CUIT": ({"cliente_cuit": ""}, "cliente_cuit", "es una empresa nueva"),
    "a new CUIT without a name": ({"cliente_empresa": ""}, "cliente_empresa", "escribí su nombre"),
    "no company at all": ({"cliente_empresa": "", "cliente_cuit": ""}, "cliente_empresa", "Escribí la empresa"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_client_data_is_said_next_to_the_field_and_nothing_is_written(client, world, case):
    change, field, message = BAD[case]
    client.force_login(world["topic operator"])
    mail.outbox.clear()
    users, companies = User.objects.count(), Company.objects.count()
    response = filed(client, world, **new_client(**change))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    assert (User.objects.count(), Company.objects.count(), Ticket.objects.count()) == (users, companies, 1)
    assert mail.outbox == []


def test_two_companies_of_one_name_ask_for_the_cuit(client, world):
    CompanyFactory(name="Kiosco Central"), CompanyFactory(name="Kiosco Central")
    client.force_login(world["topic operator"])
    response = filed(client, world, **new_client(cliente_empresa="Kiosco Central", cliente_cuit=""))
    assert "Hay más de una empresa" in response.context["form"].errors["cliente_cuit"][0]


def test_a_taken_email_offers_to_file_for_that_client(client, world):
    client.force_login(world["topic operator"])
    response = filed(client, world, **new_client(cliente_correo="rita@example.com"))
    html = response.content.decode()
    assert "Es la cuenta de Rita Requirente" in html and f'name="requester" value="{world["requester"].pk}"' in html
    # The button sends the same form with Rita chosen: her request, nobody created.
    response = filed(client, world, **new_client(cliente_correo="rita@example.com"), requester=world["requester"].pk)
    assert Ticket.objects.get(subject="No anda el sistema").requester == world["requester"]
    assert nora() is None


def test_a_refused_topic_writes_no_client(client, world):
    world.topic.is_active = False
    world.topic.save()
    client.force_login(world["topic operator"])
    response = filed(client, world, **new_client())
    assert response.status_code == 200 and nora() is None and Company.objects.filter(cuit=NEW_CUIT).count() == 0


def test_the_address_taken_a_moment_ago_rolls_everything_back(world):
    from django.core.exceptions import ValidationError

    User.objects.create_user("nora@ferreteria.com.ar", password=None)
    data = services.NewClient(full_name="Nora", email="nora@ferreteria.com.ar", company_name="X", cuit=NEW_CUIT)
    with pytest.raises(ValidationError):
        services.create_for_new_client(by=world["topic operator"], new_client=data, topic=world.topic,
                                       subject="S", description="D")
    assert Ticket.objects.count() == 1 and Company.objects.filter(cuit=NEW_CUIT).count() == 0


@pytest.mark.parametrize("who", ["requester", "another client"])
def test_a_client_cannot_create_people(client, world, who):
    client.force_login(world[who])
    page = client.get(URL)
    assert "cliente_correo" not in page.context["form"].fields
    filed(client, world, **new_client())
    assert nora() is None
    assert Ticket.objects.get(subject="No anda el sistema").requester == world[who]
    with pytest.raises(services.NotFound):
        services.create_for_new_client(by=world[who], new_client=services.NewClient("N", "n@x.com", company_name="X",
                                                                                    cuit=NEW_CUIT),
                                       topic=world.topic, subject="S", description="D")


def test_anonymous_cannot_create_people(client, world):
    response = client.post(URL, {"topic": world.topic.pk, "subject": "S", "description": "D", **new_client()})
    assert response.status_code == 302 and "?next=" in response["Location"]
    assert nora() is None


def test_a_client_searched_and_not_found_is_offered_with_what_was_typed(client, world):
    client.force_login(world["topic operator"])
    page = client.get(URL, {"cliente": "nora@ferreteria.com.ar"})
    html = page.content.decode()
    assert 'id="cliente-nuevo" open' in html and 'value="nora@ferreteria.com.ar"' in html
    page = client.get(URL, {"para": world["requester"].pk})
    assert "cliente_correo" not in page.context["form"].fields  # a client chosen: nothing to create
