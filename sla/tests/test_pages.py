"""The administrators' pages: working hours, closed days and SLA targets; nobody else reaches them."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from sla.models import ClosedDay, Target, WorkingDay
from tickets.models import Priority
from tickets.tests.conftest import make_world


@pytest.fixture
def world(db):
    return make_world()


def schedule_data(**overrides):
    data = {}
    for weekday in range(5):
        data.update({f"open_{weekday}": "on", f"opens_{weekday}": "09:00", f"closes_{weekday}": "18:00"})
    data.update(overrides)
    return data


URLS = [("sla:schedule", []), ("sla:targets", [])]


@pytest.mark.parametrize("who", ["requester", "topic operator", "assignee"])
@pytest.mark.parametrize("name, args", URLS)
def test_only_administrators_reach_the_pages(client, world, who, name, args):
    client.force_login(world[who])
    assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse(name, args=args), schedule_data()).status_code == 404


def test_anonymous_visitors_go_to_the_login_page(client, world):
    assert client.get(reverse("sla:schedule")).status_code == 302
    assert client.post(reverse("sla:closed_day_add"), {"date": "2026-06-16", "name": "Puente"}).status_code == 302
    assert not ClosedDay.objects.exists()


def test_an_administrator_sets_saturday_mornings(client, world):
    client.force_login(world["administrator"])
    page = client.get(reverse("sla:schedule")).content.decode()
    assert "Feriados nacionales" in page
    response = client.post(reverse("sla:schedule"), schedule_data(open_5="on", opens_5="09:00", closes_5="13:00",
                                                                  open_4="", opens_4="", closes_4=""))
    assert response.status_code == 302
    assert {row.weekday: (row.opens, row.closes) for row in WorkingDay.objects.all()} == {
        0: (time(9), time(18)), 1: (time(9), time(18)), 2: (time(9), time(18)), 3: (time(9), time(18)),
        5: (time(9), time(13))}


BAD_HOURS = [
    ({"opens_2": "18:00", "closes_2": "09:00"}, "La hora de cierre tiene que ser posterior a la de apertura."),
    ({"opens_2": ""}, "Indicá desde y hasta qué hora se trabaja."),
    ({f"open_{day}": "" for day in range(5)}, "Elegí al menos un día hábil."),
]


@pytest.mark.parametrize("overrides, message", BAD_HOURS)
def test_bad_hours_are_refused_with_a_message_and_nothing_changes(client, world, overrides, message):
    client.force_login(world["administrator"])
    response = client.post(reverse("sla:schedule"), schedule_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert WorkingDay.objects.count() == 5


def test_an_administrator_adds_and_removes_a_closed_day(client, world):
    client.force_login(world["administrator"])
    response = client.post(reverse("sla:closed_day_add"), {"date": "2099-06-16", "name": "Puente"})
    assert response.status_code == 302
    day = ClosedDay.objects.get()
    assert (day.date, day.name) == (date(2099, 6, 16), "Puente")
    again = client.post(reverse("sla:closed_day_add"), {"date": "2099-06-16", "name": "Otra vez"})
    assert again.status_code == 400 and "Ese día ya figura como no laborable." in again.content.decode()
    assert client.post(reverse("sla:closed_day_remove", args=[day.pk])).status_code == 302
    assert not ClosedDay.objects.exists()


def test_an_administrator_sets_targets_per_topic_and_priority(client, world):
    client.force_login(world["administrator"])
    key = f"{world.topic.pk}_{Priority.URGENT}"
    response = client.post(reverse("sla:targets"), {f"first_{key}": "1", f"resolution_{key}": "4.5"})
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.topic, target.priority, target.first_response_hours, target.resolution_hours) == (
        world.topic, Priority.URGENT, Decimal("1"), Decimal("4.5"))
    assert (target.first_response_minutes, target.resolution_minutes) == (60, 270)


BAD_TARGETS = [
    ({"first": "1"}, "Indicá los dos plazos, o dejá ambos vacíos."),
    ({"first": "8", "resolution": "4"}, "La primera respuesta no puede vencer después de la resolución."),
    ({"first": "-1", "resolution": "4"}, "mayor o igual"),
]


@pytest.mark.parametrize("values, message", BAD_TARGETS)
def test_bad_targets_are_refused_with_a_message(client, world, values, message):
    client.force_login(world["administrator"])
    key = f"{world.topic.pk}_{Priority.HIGH}"
    response = client.post(reverse("sla:targets"), {f"{kind}_{key}": value for kind, value in values.items()})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Target.objects.exists()


@pytest.mark.parametrize(("days_from_today", "listed", "past"), [
    (30, True, False), (0, True, False), (-1, True, True), (-365, True, True), (-366, False, None),
])
def test_a_closed_day_added_is_listed_with_its_remove_button(client, world, days_from_today, listed, past):
    from sla.business_hours import today_local

    day = ClosedDay.objects.create(date=today_local() + timedelta(days=days_from_today), name="Cierre por inventario")
    client.force_login(world["administrator"])
    html = client.get(reverse("sla:schedule")).content.decode()
    assert (reverse("sla:closed_day_remove", args=[day.pk]) in html) == listed
    assert ("Ya pasó" in html) == bool(past)
