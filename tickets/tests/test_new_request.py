"""The new request page: filing with files, errors next to the field, files kept, one request per form."""

import io
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from tickets.models import Attachment, PendingUpload, Ticket
from tickets.tests.conftest import pdf_bytes, png, text_file, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

URL = reverse("tickets:create")


def form_data(world, **extra):
    return {"topic": world.topic.pk, "subject": "No sale la factura", "description": "Da error 10016.",
            "submission_key": str(uuid.uuid4()), **extra}


def test_a_client_files_a_request_with_files_and_sees_its_number(client, world):
    client.force_login(world["requester"])
    response = client.post(URL, form_data(world, files=[png(), upload("factura.pdf", pdf_bytes())]), follow=True)
    ticket = Ticket.objects.get(subject="No sale la factura")
    assert response.redirect_chain[-1][0] == reverse("tickets:detail", args=[ticket.number])
    assert f"Recibimos tu solicitud #{ticket.number}" in response.content.decode()
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("original_name", "content_type")) == [
        ("captura.png", "image/png"), ("factura.pdf", "application/pdf")]
    assert {tuple(m.to) for m in mail.outbox} == {
        ("rita@example.com",), ("olga@example.com",), ("ana.asignada@example.com",)}


def test_the_form_offers_only_active_topics(client, world):
    world.other_topic.is_active = False
    world.other_topic.save()
    client.force_login(world["requester"])
    html = client.get(URL).content.decode()
    assert "Facturación" in html and "Reclamos" not in html
    response = client.post(URL, form_data(world, topic=world.other_topic.pk))
    assert "Esa temática ya no está disponible. Elegí otra." in response.content.decode()
    assert not Ticket.objects.filter(subject="No sale la factura").exists()


def test_an_error_keeps_the_files_until_the_form_is_sent(client, world):
    client.force_login(world["requester"])
    data = form_data(world, subject="", files=[png(), text_file()])
    response = client.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Escribí un asunto." in html
    assert "captura.png" in html and "notas.txt" in html
    assert not Ticket.objects.filter(requester=world["requester"]).exclude(pk=world.ticket.pk).exists()
    pending = list(PendingUpload.objects.order_by("original_name"))
    assert [p.original_name for p in pending] == ["captura.png", "notas.txt"]

    # The second try unticks one file and adds another.
    response = client.post(URL, form_data(world, submission_key=data["submission_key"], keep=[pending[0].pk],
                                          files=[upload("factura.pdf", pdf_bytes())]))
    ticket = Ticket.objects.get(subject="No sale la factura")
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("original_name", flat=True)) == [
        "captura.png", "factura.pdf"]
    assert not PendingUpload.objects.exists()


def test_files_of_another_user_cannot_be_claimed(client, world):
    from tickets import uploads
    from tickets.tests.conftest import checked

    key = uuid.uuid4()
    [theirs] = uploads.keep(world["colleague"], key, [checked(png())])
    client.force_login(world["requester"])
    client.post(URL, form_data(world, submission_key=str(key), keep=[theirs.pk]))
    ticket = Ticket.objects.get(subject="No sale la factura")
    assert not Attachment.objects.filter(ticket=ticket).exists()
    assert PendingUpload.objects.filter(pk=theirs.pk).exists()


def test_the_same_form_sent_twice_files_one_request(client, world):
    client.force_login(world["requester"])
    data = form_data(world)
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert Ticket.objects.filter(subject="No sale la factura").count() == 1
    assert first["Location"] == second["Location"]
    assert len([m for m in mail.outbox if m.to == ["rita@example.com"]]) == 1


def test_an_operator_files_on_their_own_behalf(client, world):
    client.force_login(world["other operator"])
    client.post(URL, form_data(world))
    ticket = Ticket.objects.get(subject="No sale la factura")
    assert (ticket.requester, ticket.company) == (world["other operator"], None)


def test_abandoned_files_are_purged(world, django_capture_on_commit_callbacks, private_storage, settings):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from tickets import uploads
    from tickets.tests.conftest import checked

    [old] = uploads.keep(world["requester"], uuid.uuid4(), [checked(png())])
    [recent] = uploads.keep(world["requester"], uuid.uuid4(), [checked(png("nueva.png"))])
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_pending_uploads", stdout=io.StringIO())
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not old.file.storage.exists(old.file.name)
    assert recent.file.storage.exists(recent.file.name)
    from tickets.tasks import purge_pending_uploads

    assert purge_pending_uploads() == 0


def test_the_topics_descriptions_help_the_client_choose(client, world):
    world.topic.description = "Facturas, notas de crédito y pagos."
    world.topic.save()
    client.force_login(world["requester"])
    html = client.get(URL).content.decode()
    assert 'data-description="Facturas, notas de crédito y pagos."' in html  # shown under the field as chosen
    assert "¿Cuál elegir?" in html and html.count("Facturas, notas de crédito y pagos.") == 2
