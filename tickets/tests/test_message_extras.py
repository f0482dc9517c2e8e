"""The request page's messages: clickable addresses, image previews through the guarded download, and the
requester's phone as tel: and WhatsApp links for staff only."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tickets.tests.conftest import png_bytes
from tickets.tests.factories import AttachmentFactory, InterventionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def page_of(client, user, ticket):
    client.force_login(user)
    response = client.get(reverse("tickets:detail", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def image(ticket, intervention=None, name="captura.png"):
    return AttachmentFactory(ticket=ticket, intervention=intervention, original_name=name, content_type="image/png",
                             size=len(png_bytes()), file=ContentFile(png_bytes(), name=name))


def previews(html):
    return re.findall(r'<img class="attachment-preview" src="([^"]+)"', html)


def test_a_link_in_a_message_is_clickable_and_a_script_is_not(client, world):
    InterventionFactory(ticket=world.ticket, author=world["assignee"],
                        body='Descargala de https://afip.gob.ar/f.pdf <script>alert("x")</script>')

    html = page_of(client, world["requester"], world.ticket)

    assert '<a href="https://afip.gob.ar/f.pdf" rel="noopener nofollow">https://afip.gob.ar/f.pdf</a>' in html
    assert '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' in html


@pytest.mark.parametrize("who", ["requester", "topic operator", "assignee", "administrator"])
def test_an_image_of_a_public_message_shows_a_preview_to_everyone_who_sees_the_request(client, world, who):
    public = image(world.ticket)

    html = page_of(client, world[who], world.ticket)

    src = reverse("tickets:download", args=[world.ticket.number, public.pk])
    assert previews(html) == [src]
    assert client.get(src).status_code == 200  # the same guarded download serves it


def test_an_internal_comments_image_never_reaches_a_client(client, world):
    note = InterventionFactory(ticket=world.ticket, author=world["assignee"], body="Captura interna", internal=True)
    secret = image(world.ticket, intervention=note, name="interno.png")
    src = reverse("tickets:download", args=[world.ticket.number, secret.pk])

    assert previews(page_of(client, world["assignee"], world.ticket)) == [src]
    html = page_of(client, world["requester"], world.ticket)
    assert previews(html) == [] and "interno.png" not in html
    assert client.get(src).status_code == 404


def test_a_file_that_is_not_an_image_has_no_preview(client, world):
    AttachmentFactory(ticket=world.ticket, original_name="dibujo.svg", content_type="image/svg+xml")
    AttachmentFactory(ticket=world.ticket, original_name="nota.txt")

    assert previews(page_of(client, world["assignee"], world.ticket)) == []


@pytest.mark.parametrize(("who", "sees"), [
    ("requester", False), ("topic operator", True), ("assignee", True), ("administrator", True),
])
def test_staff_can_call_or_whatsapp_the_requester(client, world, who, sees):
    requester = world["requester"]
    requester.phone = "+5491155551234"
    requester.save(update_fields=["phone"])

    html = page_of(client, world[who], world.ticket)

    assert ('href="tel:+5491155551234"' in html) is sees
    assert ('href="https://wa.me/5491155551234"' in html) is sees


def test_no_phone_no_phone_links(client, world):
    html = page_of(client, world["assignee"], world.ticket)

    assert "tel:" not in html and "wa.me" not in html
