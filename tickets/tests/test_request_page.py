"""The request page: facts, history in time order with files under their message, the reply box, queries."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tickets import selectors, services
from tickets.models import EventKind, Intervention, State
from tickets.tests.conftest import make_world
from tickets.tests.factories import AttachmentFactory, EventFactory, InterventionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def page(client, user, ticket):
    client.force_login(user)
    response = client.get(reverse("tickets:detail", args=[ticket.number]))
    assert response.status_code == 200
    return response


def test_history_is_in_time_order_with_files_under_their_message(world):
    ticket, start = world.ticket, world.ticket.created_at
    EventFactory(ticket=ticket, kind=EventKind.CREATED, at=start)
    AttachmentFactory(ticket=ticket, original_name="foto.png")
    answer = InterventionFactory(ticket=ticket, author=world["assignee"], body="Respuesta",
                                 created_at=start + timedelta(minutes=5))
    AttachmentFactory(ticket=ticket, intervention=answer, original_name="nota.pdf")
    EventFactory(ticket=ticket, actor=world["assignee"], kind=EventKind.TAKEN, after="Ana Asignada",
                 at=start + timedelta(minutes=2))
    InterventionFactory(ticket=ticket, author=world["assignee"], body="Interno", internal=True,
                        created_at=start + timedelta(minutes=7))

    entries = selectors.timeline(ticket, world["topic operator"])

    assert [(e.kind, e.event.kind if e.event else e.body) for e in entries] == [
        ("event", EventKind.CREATED), ("description", ticket.description), ("event", EventKind.TAKEN),
        ("message", "Respuesta"), ("message", "Interno"),
    ]
    assert [a.original_name for a in entries[1].attachments] == ["foto.png"]
    assert [a.original_name for a in entries[3].attachments] == ["nota.pdf"]
    client_entries = selectors.timeline(ticket, world["requester"])
    assert [e.body for e in client_entries if e.is_message] == [ticket.description, "Respuesta"]


def test_the_page_shows_facts_history_and_the_internal_mode_to_operators(client, world):
    services.comment_internally(world.ticket, by=world["assignee"], body="Revisar el CAE")
    html = page(client, world["topic operator"], world.ticket).content.decode()
    for text in ("Factura duplicada", "Facturación", "Rita Requirente", "Panadería La Espiga S.R.L.",
                 "Ana Asignada", "En proceso", "Historial", "Revisar el CAE", "Comentario interno",
                 "Se envía por correo a:", "Guardar comentario interno", "Asignar", "Cerrar", "message-internal"):
        assert text in html, text
    assert 'name="mode" value="internal"' in html


def test_the_client_gets_no_internal_mode_and_no_actions(client, world):
    services.comment_internally(world.ticket, by=world["assignee"], body="Revisar el CAE")
    html = page(client, world["requester"], world.ticket).content.decode()
    assert "Revisar el CAE" not in html
    assert 'value="internal"' not in html
    assert "Acciones" not in html
    assert "Se envía por correo a:" in html and "Ana Asignada" in html


def test_user_text_is_escaped(client, world):
    services.reply(world.ticket, by=world["requester"], body='<script>alert("x")</script>\nsegunda línea')
    html = page(client, world["requester"], world.ticket).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>segunda línea" in html


def long_history(ticket, people, count):
    """`count` messages, each with a file, and `count` events."""
    at = ticket.created_at
    for index in range(count):
        at += timedelta(minutes=1)
        message = InterventionFactory(ticket=ticket, author=people[index % len(people)], body=f"Mensaje {index}",
                                      internal=index % 3 == 0, created_at=at)
        AttachmentFactory(ticket=ticket, intervention=message, original_name=f"archivo-{index}.txt")
        EventFactory(ticket=ticket, actor=people[0], kind=EventKind.ASSIGNED, after="Ana Asignada", at=at)


@pytest.mark.parametrize("who", ["requester", "topic operator", "administrator"])
def test_the_page_costs_the_same_few_queries_however_long_the_history(client, django_assert_max_num_queries, who):
    short, long = make_world(), make_world(suffix="2")
    people = [long["assignee"], long["requester"]]
    long_history(long.ticket, people, 150)
    long_history(short.ticket, [short["assignee"], short["requester"]], 2)
    client.force_login(short[who])
    # 11 for staff: opening the page also records that they saw it (tickets.news.opened, one upsert).
    with django_assert_max_num_queries(11) as short_queries:
        client.get(reverse("tickets:detail", args=[short.ticket.number]))
    client.force_login(long[who])
    with django_assert_max_num_queries(11) as long_queries:
        response = client.get(reverse("tickets:detail", args=[long.ticket.number]))
    assert response.status_code == 200
    assert len(long_queries.captured_queries) == len(short_queries.captured_queries)
    assert response.content.decode().count('class="attachment"') == (150 if who != "requester" else 100)


def test_a_reply_with_an_error_comes_back_with_the_message_and_the_files(client, world):
    from tickets.tests.conftest import png

    client.force_login(world["requester"])
    url = reverse("tickets:reply", args=[world.ticket.number])
    response = client.post(url, {"body": "", "files": [png("pantalla.png")]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Escribí un mensaje." in html
    assert "pantalla.png" in html and 'name="keep"' in html
    assert not Intervention.objects.exists()
    form = response.context["reply_form"]
    response = client.post(url, {"body": "Ahora sí", "submission_key": str(form.submission_key),
                                 "keep": [p.pk for p in form.pending]})
    assert response.status_code == 302
    intervention = Intervention.objects.get()
    assert [a.original_name for a in intervention.attachments.all()] == ["pantalla.png"]


def test_moving_a_request_out_of_ones_topics_returns_to_the_inbox(client, new_world):
    client.force_login(new_world["topic operator"])
    response = client.post(reverse("tickets:change_topic", args=[new_world.ticket.number]),
                           {"topic": new_world.other_topic.pk})
    assert response["Location"] == reverse("tickets:inbox")


def test_a_refused_move_says_why_and_changes_nothing(client, world):
    services.close(world.ticket, by=world["assignee"])
    client.force_login(world["topic operator"])
    response = client.post(reverse("tickets:close", args=[world.ticket.number]), follow=True)
    assert "La solicitud ya está cerrada." in response.content.decode()
    world.ticket.refresh_from_db()
    assert world.ticket.state == State.CLOSED


def test_taking_a_request_someone_just_took_names_them(client, new_world):
    services.take(new_world.ticket, by=new_world["administrator"])
    client.force_login(new_world["topic operator"])
    response = client.post(reverse("tickets:take", args=[new_world.ticket.number]), follow=True)
    assert "Adela Admin ya tomó esta solicitud." in response.content.decode()


def test_download_headers(client, world):
    attachment = AttachmentFactory(ticket=world.ticket, original_name="Informe de caja ñandú.txt")
    client.force_login(world["requester"])
    response = client.get(reverse("tickets:download", args=[world.ticket.number, attachment.pk]))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Informe%20de%20caja%20%C3%B1and%C3%BA.txt")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"
    assert "attachments/" not in str(response.headers)
