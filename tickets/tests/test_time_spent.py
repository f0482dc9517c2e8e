"""Time spent (issue 15, item 5): minutes recorded by staff with a reply or an internal comment.

Recorded by tickets.services with the message, in its transaction; offered on the staff's reply form; shown to
staff on the request (per message and in total); never to a client, by any path.
"""

import io
import zipfile

import pytest
from django.urls import reverse

from mail.models import OutboxMessage
from privacy.services import export_zip
from tickets import services
from tickets.models import Intervention, TimeEntry
from tickets.tests.conftest import REQUEST_PAGE_QUERIES, make_world
from tickets.tests.factories import InterventionFactory, TicketFactory

pytestmark = pytest.mark.django_db


def reply_url(ticket):
    return reverse("tickets:reply", args=[ticket.number])


def page_of(client, ticket):
    return client.get(reverse("tickets:detail", args=[ticket.number]))


# --- The service ----------------------------------------------------------------------------------------


def test_minutes_are_recorded_with_the_reply_and_the_internal_comment(world):
    ticket = world.ticket
    public = services.reply(ticket, by=world["assignee"], body="Ya lo revisé.", minutes=20).intervention
    internal = services.comment_internally(ticket, by=world["topic operator"], body="Era el CAE.",
                                           minutes=15).intervention
    entries = {entry.intervention_id: entry for entry in TimeEntry.objects.all()}
    assert set(entries) == {public.pk, internal.pk}
    first = entries[public.pk]
    assert (first.minutes, first.author, first.ticket_id, first.topic_id, first.company_id, first.at) == (
        20, world["assignee"], ticket.number, world.topic.pk, ticket.company_id, public.created_at)
    assert (entries[internal.pk].minutes, entries[internal.pk].author) == (15, world["topic operator"])


def test_a_message_without_minutes_records_no_time(world):
    services.reply(world.ticket, by=world["assignee"], body="Ya lo revisé.")
    assert Intervention.objects.count() == 1
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("who", ["requester", "colleague", "another client", "other operator"])
def test_minutes_from_anyone_who_does_not_work_the_request_write_nothing(world, who):
    with pytest.raises(services.NotFound):
        services.reply(world.ticket, by=world[who], body="Listo.", minutes=30)
    assert not Intervention.objects.exists() and not TimeEntry.objects.exists()


@pytest.mark.parametrize("minutes", [0, -5, TimeEntry.MAX_MINUTES + 1, 10**12, "20", 2.5, True])
def test_minutes_out_of_range_are_refused_and_nothing_is_written(world, minutes):
    with pytest.raises(services.Refused, match="minutos enteros"):
        services.comment_internally(world.ticket, by=world["assignee"], body="Nota.", minutes=minutes)
    assert not Intervention.objects.exists() and not TimeEntry.objects.exists()


def test_a_whole_day_is_the_most_one_message_records(world):
    services.reply(world.ticket, by=world["administrator"], body="Migración completa.", minutes=24 * 60)
    assert TimeEntry.objects.get().minutes == 1440


# --- The form -------------------------------------------------------------------------------------------


BAD_MINUTES = [
    ("0", "Los minutos tienen que ser 1 o más."),
    ("-15", "Los minutos tienen que ser 1 o más."),
    ("veinte", "Escribí los minutos con números enteros, por ejemplo 20."),
    ("2,5", "Escribí los minutos con números enteros, por ejemplo 20."),
    ("1441", "Hasta 1440 minutos (24 h) por mensaje."),
    ("99999999999999999999", "Hasta 1440 minutos (24 h) por mensaje."),
]


@pytest.mark.parametrize("mode", ["public", "internal"])
@pytest.mark.parametrize(("value", "message"), BAD_MINUTES)
def test_bad_minutes_come_back_next_to_the_field_with_the_text_kept(client, world, value, message, mode):
    client.force_login(world["assignee"])
    response = client.post(reply_url(world.ticket), {"body": "Le cambié el punto de venta.", "minutes": value,
                                                     "mode": mode})
    assert response.status_code == 200
    form = response.context["reply_form"]
    assert form.errors == {"minutes": [message]}
    html = response.content.decode()
    assert "Le cambié el punto de venta." in html  # the text is not lost
    field_html = html[html.index('name="minutes"'):]
    assert message in field_html[:1500]  # next to the field, not only at the top
    assert not Intervention.objects.exists() and not TimeEntry.objects.exists()


def test_the_field_is_offered_to_staff_who_work_the_request_only(client, world):
    for who, offered in [("assignee", True), ("topic operator", True), ("administrator", True),
                         ("requester", False)]:
        client.force_login(world[who])
        response = page_of(client, world.ticket)
        assert response.context["reply_form"].offers_time is offered, who
        assert ("Tiempo dedicado (minutos)" in response.content.decode()) is offered, who


def test_minutes_posted_by_a_client_are_ignored(client, world):
    client.force_login(world["requester"])
    response = client.post(reply_url(world.ticket), {"body": "Sigue sin andar.", "minutes": "30"})
    assert response.status_code == 302
    assert Intervention.objects.get().body == "Sigue sin andar."
    assert not TimeEntry.objects.exists()


def test_an_operator_of_another_topic_cannot_record_time(client, world):
    client.force_login(world["other operator"])
    response = client.post(reply_url(world.ticket), {"body": "Yo también.", "minutes": "30", "mode": "internal"})
    assert response.status_code == 404
    assert not Intervention.objects.exists() and not TimeEntry.objects.exists()


def test_an_operator_writing_on_their_own_request_of_another_topic_records_no_time(client, world):
    """They see it as its requester (and may comment internally), but do not work on it."""
    own = TicketFactory(topic=world.topic, requester=world["other operator"])
    client.force_login(world["other operator"])
    response = client.post(reply_url(own), {"body": "¿Novedades?", "minutes": "30"})
    assert response.status_code == 302
    assert Intervention.objects.filter(ticket=own).exists()
    assert not TimeEntry.objects.exists()


# --- What the request page shows ------------------------------------------------------------------------


def test_staff_see_the_total_and_the_minutes_of_each_message(client, world):
    client.force_login(world["assignee"])
    client.post(reply_url(world.ticket), {"body": "Reinstalé el certificado.", "minutes": "20"})
    client.post(reply_url(world.ticket), {"body": "Ojo: vence en marzo.", "minutes": "15", "mode": "internal"})
    client.post(reply_url(world.ticket), {"body": "¿Anda ahora?", "minutes": ""})
    response = page_of(client, world.ticket)
    assert response.context["time_spent"] == 35
    assert [entry.minutes for entry in response.context["timeline"] if entry.kind == "message"] == [20, 15, None]
    html = response.content.decode()
    assert "35 min" in html
    assert html.count("Tiempo dedicado: 20 min") == 1 and html.count("Tiempo dedicado: 15 min") == 1


def test_the_total_reads_in_hours_and_minutes(client, world):
    for minutes in (60, 35):
        services.reply(world.ticket, by=world["assignee"], body="Avance.", minutes=minutes)
    client.force_login(world["administrator"])
    assert "1 h 35 min" in page_of(client, world.ticket).content.decode()


def test_a_client_never_sees_the_minutes_on_the_page_in_emails_or_in_mis_datos(client, world, settings):
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    services.reply(world.ticket, by=world["assignee"], body="Ya quedó.", minutes=1357)
    services.comment_internally(world.ticket, by=world["assignee"], body="Nota.", minutes=1357)
    traces = ("1357", "1.357", "22 h 37 min", "Tiempo dedicado", "minutos")
    client.force_login(world["requester"])
    response = page_of(client, world.ticket)
    html = response.content.decode()
    assert response.context["time_spent"] == 0
    assert all(entry.minutes is None for entry in response.context["timeline"])
    assert "Ya quedó." in html
    assert not [trace for trace in traces if trace in html]
    to_client = [message for message in OutboxMessage.objects.all() if world["requester"].email in message.to]
    assert to_client
    for message in to_client:
        text = message.subject + message.body + "".join(content for content, _type in message.alternatives)
        assert "Ya quedó." in text
        assert not [trace for trace in traces[:3] if trace in text]
    with zipfile.ZipFile(io.BytesIO(export_zip(world["requester"]))) as archive:
        exported = "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".json"))
    assert "Ya quedó." in exported
    assert not [trace for trace in traces[:3] if trace in exported]


@pytest.mark.parametrize("who", ["assignee", "administrator"])
def test_the_page_costs_the_same_queries_with_many_time_records(client, django_assert_max_num_queries, who):
    short, long = make_world(), make_world(suffix="2")
    for world, count in ((short, 2), (long, 60)):
        for index in range(count):
            message = InterventionFactory(ticket=world.ticket, author=world["assignee"], body=f"Paso {index}",
                                          internal=index % 2 == 0)
            TimeEntry.objects.create(intervention=message, ticket=world.ticket, author=world["assignee"],
                                     topic=world.topic, minutes=10, at=message.created_at)
    client.force_login(short[who])
    with django_assert_max_num_queries(REQUEST_PAGE_QUERIES) as short_queries:
        page_of(client, short.ticket)
    client.force_login(long[who])
    with django_assert_max_num_queries(REQUEST_PAGE_QUERIES) as long_queries:
        response = page_of(client, long.ticket)
    assert response.context["time_spent"] == 600
    assert "10 h" in response.content.decode()
    assert len(long_queries.captured_queries) == len(short_queries.captured_queries)
