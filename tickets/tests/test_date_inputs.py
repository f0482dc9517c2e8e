"""Every date input of every tray, for each kind of user, walked with the extremes (accounts/tests/dates.py).

Never a 500: a day out of range, impossible or malformed is explained next to its field and the rest of the
filters still apply; a day at the edges of the range filters (its local midnight and the day after are
computed without overflow).
"""

import pytest
from django.urls import reverse

from accounts.tests.dates import INVALID, VALID, assert_message_next_to_field, date_inputs
from tickets import selectors

pytestmark = pytest.mark.django_db
INBOX = reverse("tickets:inbox")
FIELDS = ["creada_desde", "creada_hasta", "cerrada_desde", "cerrada_hasta"]
PEOPLE = ["requester", "topic operator", "administrator"]


def numbers(response):
    return [ticket.number for ticket in response.context["page"].items]


def trays_of(user):
    return [tray.key for tray in selectors.trays_for(user)]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_tray_has_the_date_inputs_walked_here(client, world, who):
    client.force_login(world[who])
    for tray in trays_of(world[who]):
        assert date_inputs(client.get(INBOX, {"bandeja": tray}).content.decode()) == FIELDS


@pytest.mark.parametrize("typed", INVALID)
@pytest.mark.parametrize("who", PEOPLE)
def test_a_bad_day_is_explained_next_to_its_field(client, world, who, typed):
    client.force_login(world[who])
    for tray in trays_of(world[who]):
        without = client.get(INBOX, {"bandeja": tray, "estado": "abiertas"})
        for field in FIELDS:
            response = client.get(INBOX, {"bandeja": tray, field: typed, "estado": "abiertas"})
            assert response.status_code == 200, (tray, field)
            assert_message_next_to_field(response.content.decode(), field, INVALID[typed])
            # That filter alone is left out: the list is the one without it.
            assert numbers(response) == numbers(without)


@pytest.mark.parametrize("typed", VALID)
@pytest.mark.parametrize("who", PEOPLE)
def test_a_day_at_the_edges_filters(client, world, who, typed):
    client.force_login(world[who])
    for tray in trays_of(world[who]):
        for field in FIELDS:
            response = client.get(INBOX, {"bandeja": tray, field: typed})
            assert response.status_code == 200, (tray, field)
            filters = response.context["filters"]
            assert not filters.form.errors
            assert filters.form.cleaned_data[field] == VALID[typed]
