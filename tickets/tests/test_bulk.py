"""Bulk actions in the trays (issue 14, item 2): several requests, one move, each through its one-by-one service.

A mix of allowed and refused requests per action, a request changed by someone else between the page and the
POST, the wrong side (client, anonymous, an operator naming requests of another topic), the tray page's
queries with the checkboxes, and the emails: each request's once, as one by one.
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tickets import bulk, services, tray_counts
from tickets.bulk import Action
from tickets.models import Event, Priority, State, Ticket
from tickets.tests.conftest import make_world
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
BULK = reverse("tickets:bulk")
INBOX = reverse("tickets:inbox")
HIDDEN = "No existe o no la podés ver."


class Desk:
    """make_world's people (Olga and Ana work «Facturación», Omar «Reclamos») and requests in every situation."""

    def __init__(self):
        self.world = w = make_world(State.NEW)
        ana, olga = w["assignee"], w["topic operator"]
        requester = w["requester"]
        now = timezone.now()
        self.new = w.ticket
        self.new2 = TicketFactory(topic=w.topic, requester=requester)
        self.taken = TicketFactory(topic=w.topic, requester=requester, state=State.IN_PROGRESS, assignee=ana,
                                   taken_at=now, priority=Priority.HIGH)
        self.closed = TicketFactory(topic=w.topic, requester=requester, state=State.CLOSED, closed_at=now,
                                    closed_by=ana)
        self.other_topic = TicketFactory(topic=w.other_topic, requester=requester)
        # Olga filed it herself in a topic she does not work: she sees it, but may not work it.
        self.filed_elsewhere = TicketFactory(topic=w.other_topic, requester=olga)
        tray_counts.rebuild()

    def __getitem__(self, who):
        return self.world[who]

    def numbers(self, *names):
        return [getattr(self, name).number for name in names]


@pytest.fixture
def desk():
    return Desk()


EVERY = ("new", "taken", "closed", "other_topic", "filed_elsewhere")


def _params(desk, action):
    return {
        Action.ASSIGN: {"assignee": desk["assignee"]},
        Action.CHANGE_TOPIC: {"topic": desk.world.other_topic},
        Action.SET_PRIORITY: {"priority": Priority.HIGH},
        Action.CLOSE: {"message": "Lo resolvimos."},
    }.get(action, {})


# (action, done, {refused: reason}) for Olga, an operator of «Facturación», on EVERY request.
CASES = [
    (Action.TAKE, ["new"], {"taken": "Ana Asignada ya tomó esta solicitud.",
                            "closed": "Solo se puede tomar una solicitud nueva."}),
    (Action.ASSIGN, ["new"], {"taken": "La solicitud ya está asignada a Ana Asignada.",
                              "closed": "Una solicitud cerrada no se puede asignar."}),
    (Action.CHANGE_TOPIC, ["new", "taken"], {"closed": "Una solicitud cerrada no puede cambiar de temática."}),
    (Action.SET_PRIORITY, ["new"], {"taken": "La solicitud ya tiene prioridad Alta.",
                                    "closed": "Una solicitud cerrada no cambia de prioridad."}),
    (Action.CLOSE, ["new", "taken"], {"closed": "La solicitud ya está cerrada."}),
]


def _snapshot(ticket):
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (ticket.state, ticket.assignee_id, ticket.topic_id, ticket.priority, ticket.last_activity_at,
            Event.objects.filter(ticket=ticket).count())


@pytest.mark.parametrize(("action", "done", "refused"), CASES)
def test_each_request_is_done_or_refused_with_the_services_reason(desk, action, done, refused):
    refused = {**refused, "other_topic": HIDDEN, "filed_elsewhere": "No atendés su temática."}
    untouched = {name: _snapshot(getattr(desk, name)) for name in refused}

    result = bulk.apply_to_many(desk.numbers(*EVERY), by=desk["topic operator"], action=action,
                                **_params(desk, action))

    assert result.done == desk.numbers(*done)
    assert result.refused == [(getattr(desk, name).number, refused[name]) for name in EVERY if name not in done]
    for name in refused:  # a refusal changes nothing, and undoes nothing of the others
        assert _snapshot(getattr(desk, name)) == untouched[name]
    for name in done:
        assert Event.objects.filter(ticket=getattr(desk, name), actor=desk["topic operator"]).exists()


def test_an_assignee_who_cannot_hold_the_requests_is_refused_on_each(desk):
    result = bulk.apply_to_many(desk.numbers("new", "new2"), by=desk["topic operator"], action=Action.ASSIGN,
                                assignee=desk["other operator"])
    assert result.done == []
    assert [reason for _number, reason in result.refused] == [
        "Omar Otro no atiende la temática «Facturación»."] * 2
    assert Ticket.objects.get(pk=desk.new.pk).assignee_id is None


def test_an_administrator_works_every_topic(desk):
    result = bulk.apply_to_many(desk.numbers("new", "other_topic", "filed_elsewhere"), by=desk["administrator"],
                                action=Action.TAKE)
    assert result.done == desk.numbers("new", "other_topic", "filed_elsewhere")
    assert result.refused == []


def test_a_request_of_another_topic_is_refused_like_one_that_does_not_exist(desk):
    missing = Ticket.objects.order_by("-number").first().number + 1000
    result = bulk.apply_to_many([desk.other_topic.number, missing], by=desk["topic operator"], action=Action.CLOSE)
    assert result.refused == [(desk.other_topic.number, HIDDEN), (missing, HIDDEN)]
    assert Ticket.objects.get(pk=desk.other_topic.pk).state == State.NEW


def test_the_same_number_twice_is_one_request(desk):
    result = bulk.apply_to_many([desk.new.number, desk.new.number], by=desk["topic operator"], action=Action.TAKE)
    assert (result.done, result.refused) == ([desk.new.number], [])


def test_more_than_the_cap_does_nothing(desk):
    numbers = [desk.new.number, *range(10**6, 10**6 + bulk.MAX_AT_ONCE)]
    with pytest.raises(bulk.TooMany, match="hasta 100 de una vez"):
        bulk.apply_to_many(numbers, by=desk["topic operator"], action=Action.TAKE)
    assert Ticket.objects.get(pk=desk.new.pk).state == State.NEW


# --- The emails: each request's, once, as one by one --------------------------------------------------------------


def _sent(suffix):
    """(to, subject) of the emails sent, without what tells the worlds apart: numbers and the `suffix`."""
    def plain(text):
        for word in ("@example.com", "Facturación", "Reclamos"):
            text = text.replace(f"{word.lstrip('@')}{suffix}" if word[0] != "@" else f"{suffix}{word}", word)
        return text

    return sorted((tuple(plain(to) for to in message.to), plain(re.sub(r"#\d+", "#N", message.subject)))
                  for message in mail.outbox)


def _params_of(world, action):
    return {
        Action.ASSIGN: {"assignee": world["topic operator"]},
        Action.CHANGE_TOPIC: {"topic": world.other_topic},
        Action.SET_PRIORITY: {"priority": Priority.URGENT},
        Action.CLOSE: {"message": "Lo resolvimos."},
    }.get(action, {})


@pytest.mark.parametrize("action", list(Action))
def test_each_request_gets_the_emails_of_its_one_by_one_move_once(action):
    # Held by Ana and moved by Olga, so that the assignee is told too (taking needs a new one).
    state = State.NEW if action == Action.TAKE else State.IN_PROGRESS
    alone = make_world(state, suffix="a")
    together = make_world(state, suffix="b")
    second = TicketFactory(topic=together.topic, requester=together["requester"], subject=together.ticket.subject,
                           state=state, assignee=together.ticket.assignee, taken_at=together.ticket.taken_at)
    tray_counts.rebuild()
    moves = {Action.TAKE: services.take, Action.ASSIGN: services.assign, Action.CHANGE_TOPIC: services.change_topic,
             Action.SET_PRIORITY: services.set_priority, Action.CLOSE: services.close}
    mail.outbox.clear()
    moves[action](alone.ticket, by=alone["topic operator"], **_params_of(alone, action))
    one_by_one = _sent("a")
    mail.outbox.clear()

    result = bulk.apply_to_many([together.ticket.number, second.number], by=together["topic operator"],
                                action=action, **_params_of(together, action))

    assert len(result.done) == 2
    assert one_by_one or action == Action.TAKE, "the move sends nothing: the case tests nothing"  # taking tells nobody
    assert _sent("b") == sorted(one_by_one * 2)


# --- The page ------------------------------------------------------------------------------------------------------


def flashed(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def test_a_request_taken_by_someone_else_meanwhile_is_reported_and_the_rest_done(desk, client):
    olga, ana = desk["topic operator"], desk["assignee"]
    client.force_login(olga)
    page = client.get(INBOX, {"bandeja": "sin_asignar"})
    assert {desk.new.number, desk.new2.number} <= set(_checkboxes(page))

    services.take(desk.new, by=ana)  # Ana, between Olga's page and her POST
    response = client.post(f"{BULK}?bandeja=sin_asignar&orden=prioridad",
                           {"accion": "tomar", "solicitudes": desk.numbers("new", "new2")})

    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}?bandeja=sin_asignar&orden=prioridad"  # the same tray, as it was
    assert flashed(response) == [
        ("success", "Tomaste 1 solicitud."),
        ("error", f"1 no se pudo: #{desk.new.number}: Ana Asignada ya tomó esta solicitud."),
    ]
    assert Ticket.objects.get(pk=desk.new.pk).assignee == ana
    assert Ticket.objects.get(pk=desk.new2.pk).assignee == olga


def test_the_refusals_are_grouped_by_reason_in_the_order_sent(desk, client):
    client.force_login(desk["topic operator"])
    response = client.post(BULK, {"accion": f"prioridad:{Priority.HIGH}",
                                  "solicitudes": desk.numbers("closed", "new", "other_topic", "taken", "new2")})
    assert flashed(response) == [
        ("success", "2 solicitudes cambiaron de prioridad."),
        ("error", f"3 no se pudieron: #{desk.closed.number}: Una solicitud cerrada no cambia de prioridad. "
                  f"#{desk.other_topic.number}: {HIDDEN} #{desk.taken.number}: La solicitud ya tiene prioridad Alta."),
    ]


def test_a_request_closed_meanwhile_is_not_closed_twice(desk, client):
    client.force_login(desk["topic operator"])
    services.close(desk.taken, by=desk["assignee"])
    mail.outbox.clear()
    response = client.post(BULK, {"accion": "cerrar", "solicitudes": desk.numbers("taken", "new"),
                                  "mensaje": "Resuelto."})
    assert flashed(response) == [
        ("success", "Cerraste 1 solicitud."),
        ("error", f"1 no se pudo: #{desk.taken.number}: La solicitud ya está cerrada."),
    ]
    assert Event.objects.filter(ticket=desk.taken, kind="closed").count() == 1
    assert "Resuelto." not in " ".join(m.body for m in mail.outbox if desk.taken.subject in m.subject
                                        and f"#{desk.taken.number}" in m.subject)


CHOOSE = "Elegí qué hacer con las solicitudes seleccionadas."


@pytest.mark.parametrize(("data", "message", "beside"), [
    ({"accion": "tomar"}, "Marcá al menos una solicitud de la lista.", None),
    ({"accion": "tomar", "solicitudes": ["12", "x"]}, "Marcá solicitudes de la lista.", None),
    ({"solicitudes": ["1"]}, CHOOSE, "accion"),
    ({"accion": "borrar", "solicitudes": ["1"]}, CHOOSE, "accion"),
    ({"accion": "asignar", "solicitudes": ["1"]}, CHOOSE, "accion"),
    ({"accion": "asignar:999999", "solicitudes": ["1"]}, CHOOSE, "accion"),
    ({"accion": "tematica:x", "solicitudes": ["1"]}, CHOOSE, "accion"),
    ({"accion": "prioridad:9", "solicitudes": ["1"]}, CHOOSE, "accion"),
    ({"accion": "cerrar", "solicitudes": ["1"], "mensaje": "Resuelto. " + "x" * 20_000},
     "Puede tener hasta 20000 caracteres (tiene 20010).", "mensaje"),
])
def test_bad_input_is_said_beside_its_field_keeps_what_was_given_and_changes_nothing(desk, client, data, message,
                                                                                     beside):
    data = {**data, "solicitudes": [str(desk.new.number) if n == "1" else n for n in data.get("solicitudes", [])]}
    client.force_login(desk["topic operator"])
    before = _snapshot(desk.new)
    response = client.post(f"{BULK}?bandeja=tematicas", data)
    assert response.status_code == 400  # the same tray, not a redirect: nothing typed or ticked is lost
    assert response.context["tray"].key == "tematicas"
    form = response.context["bulk_form"]
    assert (form.errors.get(beside) if beside else form.non_field_errors()) == [message]
    html = response.content.decode()
    assert html.count(message) == 1 and flashed(response) == []
    assert _checkboxes(response, checked=True) == ([desk.new.number] if str(desk.new.number) in data["solicitudes"]
                                                   else [])
    if "mensaje" in data:
        assert data["mensaje"] in html
        textarea = re.search(r"<textarea[^>]*>", html).group()
        assert 'aria-invalid="true"' in textarea and 'is-invalid' in textarea
        assert 'aria-describedby="bloque_mensaje_help bloque_mensaje_error"' in textarea
        assert 'id="bloque_mensaje_error"' in html
    if beside == "accion":
        assert 'aria-invalid="true" aria-describedby="bloque_accion_error"' in html
    assert _snapshot(desk.new) == before


def test_an_inactive_topic_is_not_offered_nor_accepted(desk, client):
    type(desk.world.other_topic).objects.filter(pk=desk.world.other_topic.pk).update(is_active=False)
    client.force_login(desk["administrator"])
    page = client.get(INBOX, {"bandeja": "todas"})
    offered = dict(page.context["bulk_form"].groups)["Cambiar la temática a"]
    assert offered == [(f"tematica:{desk.world.topic.pk}", desk.world.topic.name)]
    response = client.post(BULK, {"accion": f"tematica:{desk.world.other_topic.pk}", "solicitudes": [desk.new.number]})
    assert response.status_code == 400 and response.context["bulk_form"].errors["accion"] == [CHOOSE]
    assert Ticket.objects.get(pk=desk.new.pk).topic_id == desk.world.topic.pk


def test_too_many_at_once_is_said(desk, client):
    client.force_login(desk["topic operator"])
    numbers = [desk.new.number, *range(10**6, 10**6 + bulk.MAX_AT_ONCE)]
    response = client.post(BULK, {"accion": "tomar", "solicitudes": numbers})
    assert flashed(response) == [
        ("error", "Elegiste 101 solicitudes: se pueden cambiar hasta 100 de una vez.")]
    assert Ticket.objects.get(pk=desk.new.pk).state == State.NEW


# --- The wrong side ------------------------------------------------------------------------------------------------


def _checkboxes(response, checked=False):
    found = re.findall(r'name="solicitudes" value="(\d+)"([^>]*)>', response.content.decode())
    return [int(n) for n, rest in found if not checked or " checked" in rest]


def test_clients_get_no_checkboxes_and_their_post_is_a_404(desk, client):
    requester = desk["requester"]
    client.force_login(requester)
    page = client.get(INBOX)
    assert page.context["bulk_form"] is None and page.context["page"].items
    assert _checkboxes(page) == [] and "acciones-en-bloque" not in page.content.decode()
    before = _snapshot(desk.new)
    for action in Action:
        response = client.post(BULK, {"accion": action, "solicitudes": [desk.new.number], "mensaje": "Listo"})
        assert response.status_code == 404
    assert _snapshot(desk.new) == before


def test_anonymous_visitors_are_sent_to_log_in(desk, client):
    before = _snapshot(desk.new)
    response = client.post(BULK, {"accion": "cerrar", "solicitudes": [desk.new.number]})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert _snapshot(desk.new) == before


def test_only_post(desk, client):
    client.force_login(desk["topic operator"])
    assert client.get(BULK).status_code == 405


def test_an_operator_naming_another_topics_requests_learns_nothing(desk, client):
    client.force_login(desk["topic operator"])
    missing = Ticket.objects.order_by("-number").first().number + 1000
    response = client.post(BULK, {"accion": "cerrar", "solicitudes": [desk.other_topic.number, missing]})
    assert flashed(response) == [(
        "error", f"2 no se pudieron: #{desk.other_topic.number}, #{missing}: {HIDDEN}")]
    assert Ticket.objects.get(pk=desk.other_topic.pk).state == State.NEW


def test_staff_get_a_checkbox_per_row(desk, client):
    client.force_login(desk["topic operator"])
    page = client.get(INBOX, {"bandeja": "tematicas", "estado": "todos"})
    assert sorted(_checkboxes(page)) == sorted(ticket.number for ticket in page.context["page"].items)
    assert page.context["bulk_form"] is not None
    # The filters have fields of the same names: each label must still point at its own field.
    ids = re.findall(r'\bid="([^"]+)"', page.content.decode())
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


# --- Queries of the tray page --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "query"), [("topic operator", {"bandeja": "tematicas"}),
                                            ("administrator", {"bandeja": "todas", "orden": "prioridad"})])
def test_the_checkboxes_and_the_bar_cost_no_query_per_row(desk, client, who, query):
    client.force_login(desk[who])

    def more(count):
        TicketFactory.create_batch(count, topic=desk.world.topic, requester=desk["requester"])
        tray_counts.rebuild()

    more(2)
    with CaptureQueriesContext(connection) as few:
        response = client.get(INBOX, query)
    rows = len(_checkboxes(response))
    more(30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(INBOX, query)
    assert rows < len(_checkboxes(response)) == 25
    assert len(many) == len(few)
