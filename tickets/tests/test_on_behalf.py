"""Staff file a request on behalf of a client who phoned, wrote or came in (issue 13, item 1)."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import ClientFactory
from tickets.models import Channel, EventKind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]
URL = reverse("tickets:create")


def filed(client, world, **extra):
    data = {"topic": world.topic.pk, "subject": "No imprime", "description": "Llamó por teléfono.", **extra}
    return client.post(URL, data, follow=True)


@pytest.mark.parametrize("who", ["topic operator", "other operator", "administrator"])
def test_staff_file_for_a_client_who_gets_the_receipt(client, world, who):
    client.force_login(world[who])
    mail.outbox.clear()
    response = filed(client, world, requester=world["requester"].pk, channel=Channel.PHONE)
    ticket = Ticket.objects.get(subject="No imprime")
    assert (ticket.requester, ticket.company, ticket.channel) == (
        world["requester"], world["requester"].company, Channel.PHONE)
    created = ticket.events.get(kind=EventKind.CREATED)
    assert (created.actor, created.after) == (world[who], "Rita Requirente")
    told = {m.to[0].split("@")[0]: m.subject for m in mail.outbox}
    assert "Recibimos tu solicitud" in told["rita"]
    assert world[who].email.split("@")[0] not in told  # never told of their own move
    assert "Cargaste la solicitud" in response.content.decode()


def test_the_request_page_says_who_filed_it_and_how(client, world):
    client.force_login(world["topic operator"])
    filed(client, world, requester=world["requester"].pk, channel=Channel.WHATSAPP)
    ticket = Ticket.objects.get(subject="No imprime")
    client.force_login(world["requester"])
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "en nombre de <strong>Rita Requirente</strong>" in html and "WhatsApp" in html


@pytest.mark.parametrize("who", ["requester", "colleague", "another client"])
def test_a_client_files_only_for_themselves(client, world, who):
    client.force_login(world[who])
    filed(client, world, requester=world["other operator"].pk, channel=Channel.PHONE)
    ticket = Ticket.objects.get(subject="No imprime")
    assert (ticket.requester, ticket.channel) == (world[who], Channel.WEB)


def test_anonymous_cannot_file(client, world):
    response = client.post(URL, {"topic": world.topic.pk, "subject": "x", "description": "y",
                                 "requester": world["requester"].pk})
    assert response.status_code == 302 and "?next=" in response["Location"]
    assert Ticket.objects.count() == 1  # the world's own request only


def test_a_deactivated_client_cannot_be_chosen(client, world):
    gone = ClientFactory(is_active=False)
    client.force_login(world["topic operator"])
    response = client.post(URL, {"topic": world.topic.pk, "subject": "x", "description": "y",
                                 "requester": gone.pk})
    assert response.status_code == 200
    assert "ya no puede cargar solicitudes" in response.content.decode()
    assert Ticket.objects.count() == 1  # the world's own request only


@pytest.mark.parametrize("typed", ["Rita", "rita@example.com", "Espiga", "Panadería"])
def test_staff_find_the_client_by_name_email_or_company(client, world, typed):
    client.force_login(world["topic operator"])
    page = client.get(URL, {"cliente": typed})
    assert world["requester"] in page.context["matches"]
    chosen = client.get(URL, {"para": world["requester"].pk})
    assert chosen.context["requester"] == world["requester"]


def test_staff_find_the_client_by_cuit_with_or_without_dashes(client, world):
    client.force_login(world["topic operator"])
    cuit = world["requester"].company.cuit
    for typed in (cuit, cuit.replace("-", "")):
        assert world["requester"] in client.get(URL, {"cliente": typed}).context["matches"]


def test_a_client_gets_no_search_of_people(client, world):
    client.force_login(world["requester"])
    page = client.get(URL, {"cliente": "Carlos", "para": world["another client"].pk})
    assert "matches" not in page.context and not page.context["form"].on_behalf


def test_the_trays_filter_by_channel_for_staff_only(client, world):
    client.force_login(world["topic operator"])
    filed(client, world, requester=world["requester"].pk, channel=Channel.PHONE)
    Ticket.objects.filter(subject="No imprime").update(last_activity_at=world.ticket.last_activity_at)
    page = client.get(reverse("tickets:inbox"), {"bandeja": "tematicas", "canal": "phone"})
    assert [t.subject for t in page.context["page"].items] == ["No imprime"]
    client.force_login(world["requester"])
    page = client.get(reverse("tickets:inbox"), {"canal": "phone"})
    assert "canal" not in page.context["filters"].form.fields
    assert len(page.context["page"].items) == 2  # the filter is ignored for clients


def test_the_clients_found_come_before_staff_of_the_same_name(client, world):
    from accounts.tests.factories import OperatorFactory

    OperatorFactory(full_name="Rita Aaron Operadora")
    client.force_login(world["topic operator"])
    matches = client.get(URL, {"cliente": "Rita"}).context["matches"]
    assert [person.is_client for person in matches] == [True, False]
