"""The words a client reads are theirs, not the staff's: the reply box's title and the search box's hint."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db]


@pytest.mark.parametrize(("who", "title", "not_title"), [
    ("requester", "Escribir una respuesta", "Nueva intervención"),
    ("assignee", "Nueva intervención", "Escribir una respuesta"),
])
def test_the_reply_box_speaks_to_who_writes(client, world, who, title, not_title):
    client.force_login(world[who])
    html = client.get(reverse("tickets:detail", args=[world.ticket.number])).content.decode()

    assert f'class="reply-title">{title}</h2>' in html
    assert not_title not in html


@pytest.mark.parametrize(("who", "hint"), [
    ("requester", "Palabras o número de solicitud"), ("topic operator", "Palabras, número o CUIT"),
])
def test_only_staff_are_offered_a_search_by_cuit(client, world, who, hint):
    client.force_login(world[who])
    html = client.get(reverse("tickets:inbox")).content.decode()

    assert f'placeholder="{hint}"' in html
    if who == "requester":
        assert "CUIT" not in html
