"""Remembering translations (sysmo/translations.py) and request addresses (tickets.models.detail_url)
changes the cost of a page, never its HTML (issue 19).
A fixed data set (the tickets' `world`, with a reply and an internal comment) is rendered as each kind of
person, in Spanish and in English, with Django's own lookup and with the remembering one; the pages must be
the same but for the one-time keys of their forms.
"""

import re

import pytest
from django.urls import reverse
from django.utils.translation import trans_real

from sysmo import translations
from tickets import services

pytestmark = pytest.mark.django_db

ONE_TIME = re.compile(r'(name="(?:csrfmiddlewaretoken|submission_key)" value=")[^"]*"')


def pages(client, world, language):
    client.cookies["django_language"] = language
    urls = [reverse("tickets:inbox"), reverse("tickets:inbox") + "?q=factura&estado=abiertas",
            reverse("tickets:detail", args=[world.ticket.number])]
    return [ONE_TIME.sub(r'\1"', client.get(url).content.decode()) for url in urls]


@pytest.mark.parametrize("who", ["requester", "assignee", "administrator"])
@pytest.mark.parametrize("language", ["es-ar", "en"])
def test_the_pages_are_the_same_with_and_without_the_memory(world, client, monkeypatch, who, language):
    services.reply(world.ticket, by=world["assignee"], body="Ya lo revisamos, ¿sigue pasando?")
    services.comment_internally(world.ticket, by=world["assignee"], body="Nota interna: cliente moroso.")
    client.force_login(world[who])
    assert getattr(trans_real.DjangoTranslation.gettext, "remembers", False)
    remembered = pages(client, world, language)
    again = pages(client, world, language)  # now answered from the memory
    lookup = trans_real.DjangoTranslation.gettext.__closure__[0].cell_contents
    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", lookup)
    assert not getattr(trans_real.DjangoTranslation.gettext, "remembers", False)
    plain = pages(client, world, language)
    assert remembered == again == plain


def test_installing_twice_wraps_once():
    installed = trans_real.DjangoTranslation.gettext
    translations.remember()
    assert trans_real.DjangoTranslation.gettext is installed


@pytest.mark.parametrize("number", [1, 7, 10, 918273645546372818, 123456789012])
def test_a_requests_address_is_what_reversing_gives(number):
    from django.urls import reverse

    from tickets.models import detail_url

    assert detail_url(number) == reverse("tickets:detail", args=[number])
