"""Respuestas predefinidas: placeholders (rendering and refusals), who manages and uses which, the reply box with
and without JavaScript, and what the pages cost."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tickets import canned
from tickets.models import CannedAnswer, Intervention
from tickets.tests.conftest import REQUEST_PAGE_QUERIES, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def answer(title="Saludo", body="Hola, {nombre}.", topic=None):
    return CannedAnswer.objects.create(title=title, body=body, topic=topic)


# --- Placeholders ----------------------------------------------------------------------------------------------

RENDERED = [
    ("Hola, {nombre}:", "Hola, Rita:"),
    ("{cliente} de {empresa}", "Rita Requirente de Panadería La Espiga S.R.L."),
    ("Solicitud #{numero} «{asunto}»", "Solicitud #{number} «Factura duplicada»"),
    ("Temática: {tematica}", "Temática: Facturación"),
    ("Saludos, {operador}", "Saludos, Ana Asignada"),
    ("{Número} y {temática}", "{number} y Facturación"),  # written with accents or capitals
    ("{ nombre }", "Rita"),
    ("Llaves: {{nombre}} y }}", "Llaves: {nombre} y }"),
    ("Sin datos.", "Sin datos."),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), RENDERED)
def test_placeholders_are_filled_with_the_requests_data(world, text, expected):
    canned.check(text)
    assert canned.render(text, ticket=world.ticket, operator=world["assignee"]) == expected.replace(
        "{number}", str(world.ticket.number))


def test_values_are_put_in_once_never_read_again_for_placeholders(world):
    requester = world["requester"]
    requester.full_name = "{numero} <b>Rita</b> {{x}}"
    requester.save()
    assert canned.render("{cliente}", ticket=world.ticket, operator=world["assignee"]) == "{numero} <b>Rita</b> {{x}}"


def test_a_client_without_a_company_leaves_the_company_empty(world):
    world.ticket.company = None
    assert canned.render("[{empresa}]", ticket=world.ticket, operator=world["assignee"]) == "[]"


REFUSED = [
    ("Hola {clienta}", "unknown", "«{clienta}»"),
    ("{cliente.__class__}", "unknown", "«{cliente.__class__}»"),
    ("{0}", "unknown", "«{0}»"),
    ("{}", "unknown", "«{}»"),
    ("{cliente!r}", "unknown", "«{cliente!r}»"),
    ("Hola {cliente", "broken", "llave sin cerrar"),
    ("Hola cliente}", "broken", "llave sin cerrar"),
    ("{{cliente}", "broken", "llave sin cerrar"),
    ("{nombre\n}", "broken", "llave sin cerrar"),
]


@pytest.mark.parametrize(("text", "code", "said"), REFUSED)
def test_an_unknown_placeholder_or_a_broken_brace_is_refused_saying_which(text, code, said):
    with pytest.raises(ValidationError) as refused:
        canned.check(text)
    assert [error.code for error in refused.value.error_list] == [code]
    assert said in refused.value.messages[0]
    if code == "unknown":
        assert "{cliente}, {nombre}, {numero}" in refused.value.messages[0]  # says what may be used


def test_both_faults_are_told_at_once():
    with pytest.raises(ValidationError) as refused:
        canned.check("{foo} y {cliente")
    assert [error.code for error in refused.value.error_list] == ["unknown", "broken"]


def test_the_insert_without_javascript_keeps_what_was_typed(world):
    assert canned.insert("Buenas.\n\n", "Texto") == "Buenas.\n\nTexto"
    assert canned.insert("  ", "Texto") == "Texto"


# --- The management pages, from every side ---------------------------------------------------------------------


def urls(item):
    return [("get", reverse("tickets:canned_list")), ("get", reverse("tickets:canned_create")),
            ("post", reverse("tickets:canned_create")), ("get", reverse("tickets:canned_edit", args=[item.pk])),
            ("post", reverse("tickets:canned_edit", args=[item.pk])),
            ("post", reverse("tickets:canned_delete", args=[item.pk]))]


def test_anonymous_visitors_are_sent_to_log_in_on_every_page(client, world):
    item = answer(topic=world.topic)
    for method, url in urls(item):
        response = getattr(client, method)(url, {"title": "x", "body": "y"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert CannedAnswer.objects.get().title == "Saludo"


@pytest.mark.parametrize("who", ["requester", "another client"])
def test_clients_get_404_on_every_page(client, world, who):
    item = answer(topic=world.topic)
    client.force_login(world[who])
    for method, url in urls(item):
        assert getattr(client, method)(url, {"title": "x", "body": "y", "topic": world.topic.pk}).status_code == 404
    assert CannedAnswer.objects.count() == 1 and CannedAnswer.objects.get().title == "Saludo"


def test_an_operator_of_another_topic_neither_sees_nor_touches_its_answers(client, world):
    item = answer(title="Factura duplicada", topic=world.topic)
    client.force_login(world["other operator"])
    assert "Factura duplicada" not in client.get(reverse("tickets:canned_list")).content.decode()
    assert client.get(reverse("tickets:canned_edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("tickets:canned_edit", args=[item.pk]),
                       {"title": "Mía", "body": "x", "topic": world.other_topic.pk}).status_code == 404
    assert client.post(reverse("tickets:canned_delete", args=[item.pk])).status_code == 404
    # Nor files one under it.
    response = client.post(reverse("tickets:canned_create"), {"title": "Intruso", "body": "x", "topic": world.topic.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["topic"] == ["Elegí una de tus temáticas."]
    assert list(CannedAnswer.objects.values_list("title", "topic")) == [("Factura duplicada", world.topic.pk)]


def test_operators_see_global_answers_and_manage_only_their_topics(client, world):
    shared = answer(title="Saludo global")
    own = answer(title="Pedido de CAE", topic=world.topic)
    client.force_login(world["topic operator"])
    response = client.get(reverse("tickets:canned_list"))
    assert [(item.title, editable) for item, editable in response.context["rows"]] == [
        ("Pedido de CAE", True), ("Saludo global", False)]
    assert client.get(reverse("tickets:canned_edit", args=[shared.pk])).status_code == 404
    assert client.post(reverse("tickets:canned_delete", args=[shared.pk])).status_code == 404
    # A global one is for administrators: the topic is required of operators.
    response = client.post(reverse("tickets:canned_create"), {"title": "Global", "body": "x", "topic": ""})
    assert response.status_code == 400 and "topic" in response.context["form"].errors
    response = client.post(reverse("tickets:canned_edit", args=[own.pk]),
                           {"title": "Pedido de CAE", "body": "Hola {nombre}", "topic": world.topic.pk})
    assert response.status_code == 302
    assert client.post(reverse("tickets:canned_delete", args=[own.pk])).status_code == 302
    assert list(CannedAnswer.objects.values_list("title", flat=True)) == ["Saludo global"]


def test_an_administrator_keeps_global_answers_and_any_topics(client, world):
    client.force_login(world["administrator"])
    for title, topic in [("Global", ""), ("Reclamos", world.other_topic.pk)]:
        response = client.post(reverse("tickets:canned_create"), {"title": title, "body": "Hola {cliente}",
                                                                  "topic": topic})
        assert response.status_code == 302
    assert set(CannedAnswer.objects.values_list("title", "topic")) == {("Global", None),
                                                                       ("Reclamos", world.other_topic.pk)}


@pytest.mark.parametrize(("text", "said"), [("Hola {clienta}", "No sabemos completar «{clienta}»"),
                                            ("Hola {cliente", "Hay una llave sin cerrar")])
def test_a_bad_text_is_refused_next_to_the_field_and_nothing_is_saved(client, world, text, said):
    client.force_login(world["topic operator"])
    response = client.post(reverse("tickets:canned_create"), {"title": "Saludo", "body": text,
                                                              "topic": world.topic.pk})
    assert response.status_code == 400
    assert said in response.context["form"].errors["body"][0]
    assert said in response.content.decode()
    assert response.context["form"]["body"].value() == text  # what was typed stays
    assert not CannedAnswer.objects.exists()


def test_the_list_searches_titles_and_texts(client, world):
    answer(title="Reinicio del equipo", body="Apagalo y prendelo.")
    answer(title="Pedido de CUIT", body="Necesitamos el CUIT de {empresa}.")
    client.force_login(world["administrator"])
    found = client.get(reverse("tickets:canned_list"), {"q": "cuit"}).context["rows"]
    assert [item.title for item, _editable in found] == ["Pedido de CUIT"]
    found = client.get(reverse("tickets:canned_list"), {"q": "prendelo"}).context["rows"]
    assert [item.title for item, _editable in found] == ["Reinicio del equipo"]


def test_the_list_costs_the_same_queries_with_5_or_60_answers(client, world, django_assert_max_num_queries):
    client.force_login(world["topic operator"])

    def fill(count):
        for index in range(count):
            answer(title=f"Respuesta {index:02}", topic=world.topic if index % 2 else None)
        with django_assert_max_num_queries(12) as queries:
            client.get(reverse("tickets:canned_list"))
        return len(queries.captured_queries)

    few = fill(5)
    assert fill(55) == few


# --- In the reply box --------------------------------------------------------------------------------------------


def detail(client, user, ticket):
    client.force_login(user)
    response = client.get(reverse("tickets:detail", args=[ticket.number]))
    assert response.status_code == 200
    return response


def test_the_reply_box_offers_the_global_answers_and_the_topics_rendered_for_the_request(client, world):
    answer(title="Saludo", body="Hola, {nombre}: soy {operador}.")
    answer(title="CAE", body="Revisamos la factura de la solicitud #{numero}.", topic=world.topic)
    answer(title="Reclamo recibido", body="Otro tema.", topic=world.other_topic)
    response = detail(client, world["assignee"], world.ticket)
    offers = response.context["canned_form"].offers.values()
    assert [(offer.title, offer.text) for offer in offers] == [
        ("CAE", f"Revisamos la factura de la solicitud #{world.ticket.number}."),
        ("Saludo", "Hola, Rita: soy Ana Asignada.")]
    html = response.content.decode()
    assert 'data-text="Hola, Rita: soy Ana Asignada."' in html and "Otro tema." not in html


def test_an_administrator_gets_the_requests_topic_answers_not_every_topics(client, world):
    answer(title="CAE", topic=world.topic)
    answer(title="Reclamo recibido", topic=world.other_topic)
    offers = detail(client, world["administrator"], world.ticket).context["canned_form"].offers.values()
    assert [offer.title for offer in offers] == ["CAE"]


def test_clients_are_never_offered_canned_answers(client, world):
    answer(title="Saludo", body="Texto de la mesa de ayuda")
    response = detail(client, world["requester"], world.ticket)
    assert "canned_form" not in response.context
    html = response.content.decode()
    assert "Texto de la mesa de ayuda" not in html and "data-canned" not in html and "canned.js" not in html


def insert(client, user, ticket, pick, **fields):
    client.force_login(user)
    return client.post(reverse("tickets:reply", args=[ticket.number]),
                       {"body": "Buenas tardes.", "respuesta": pick, "insertar": "1", **fields})


def test_insertar_without_javascript_returns_the_form_with_the_text_added_and_sends_nothing(client, world):
    item = answer(title="CAE", body="La solicitud #{numero} ya está revisada.\n{operador}", topic=world.topic)
    response = insert(client, world["assignee"], world.ticket, item.pk, mode="internal")
    assert response.status_code == 200
    form = response.context["reply_form"]
    assert form["body"].value() == (f"Buenas tardes.\n\nLa solicitud #{world.ticket.number} ya está revisada.\n"
                                    "Ana Asignada")
    assert form.internal and not form.errors  # the rest of what was chosen is kept, and no error is shown
    assert not Intervention.objects.exists()
    assert "Revisá los campos marcados" not in response.content.decode()


def test_insertar_keeps_the_chosen_files_for_the_real_send(client, world):
    from tickets.tests.conftest import png

    item = answer(title="CAE", body="Adjunto la factura.", topic=world.topic)
    response = insert(client, world["assignee"], world.ticket, item.pk, files=[png("factura.png")])
    assert response.status_code == 200
    assert [pending.original_name for pending in response.context["reply_form"].pending] == ["factura.png"]


@pytest.mark.parametrize("which", ["another topic's", "unknown", "none"])
def test_an_answer_not_offered_on_the_request_cannot_be_inserted(client, world, which):
    foreign = answer(title="Reclamo", body="Texto de Reclamos", topic=world.other_topic)
    pick = {"another topic's": foreign.pk, "unknown": 999_999, "none": ""}[which]
    response = insert(client, world["assignee"], world.ticket, pick)
    assert response.status_code == 200
    assert response.context["reply_form"]["body"].value() == "Buenas tardes."
    assert response.context["canned_form"].errors["respuesta"]
    assert "Texto de Reclamos" not in response.content.decode()
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("who", ["requester", "other operator", "another client"])
def test_insertar_from_the_wrong_side_is_404_and_inserts_nothing(client, world, who):
    item = answer(title="Saludo", body="Texto secreto de la mesa")
    response = insert(client, world[who], world.ticket, item.pk)
    assert response.status_code == 404
    assert "Texto secreto de la mesa" not in response.content.decode()


def test_the_request_page_costs_the_same_queries_with_2_or_40_answers(client, django_assert_max_num_queries):
    counts = []
    for count, suffix in [(2, ""), (40, "2")]:
        world = make_world(suffix=suffix)
        for index in range(count):
            answer(title=f"R{suffix}-{index}", body="Hola {cliente}, #{numero} {tematica} {empresa}",
                   topic=world.topic if index % 2 else None)
        client.force_login(world["assignee"])
        with django_assert_max_num_queries(REQUEST_PAGE_QUERIES) as queries:
            response = client.get(reverse("tickets:detail", args=[world.ticket.number]))
        assert len(response.context["canned_form"].offers) >= count
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_insertar_does_not_use_up_the_forms_key(client, world):
    """The round trip is not a send: the same form (same key) is then sent once."""
    key = "5b0d7c1e-2f6a-4b8e-9c1d-3e5f7a9b1c2d"
    item = answer(title="CAE", body="Revisado.", topic=world.topic)
    assert insert(client, world["assignee"], world.ticket, item.pk, submission_key=key).status_code == 200
    url = reverse("tickets:reply", args=[world.ticket.number])
    sent = client.post(url, {"body": "Buenas tardes.\n\nRevisado.", "submission_key": key})
    assert sent.status_code == 302
    assert client.post(url, {"body": "Buenas tardes.\n\nRevisado.", "submission_key": key}).status_code == 302
    assert list(Intervention.objects.values_list("body", flat=True)) == ["Buenas tardes.\n\nRevisado."]


@pytest.mark.parametrize(("with_topic", "may_write"), [(True, True), (False, False)])
def test_an_operator_without_topics_is_told_why_they_cannot_write_answers(client, with_topic, may_write):
    from accounts.tests.factories import OperatorFactory, verified
    from topics.tests.factories import TopicFactory

    operator = verified(OperatorFactory())
    if with_topic:
        TopicFactory(operators=[operator])
    answer("Saludo global")
    client.force_login(operator)
    listing = client.get(reverse("tickets:canned_list")).content.decode()
    assert ("Nueva respuesta" in listing) == may_write
    assert ("Todavía no atendés ninguna temática" in listing) == (not may_write)
    assert "Saludo global" in listing  # the global answers are theirs to use either way
    response = client.post(reverse("tickets:canned_create"), {"title": "Mía", "body": "Hola."}, follow=True)
    if not may_write:
        assert response.redirect_chain == [(reverse("tickets:canned_list"), 302)]
        assert "Todavía no atendés ninguna temática" in response.content.decode()
    assert not CannedAnswer.objects.filter(title="Mía").exists()  # with a topic: it must be chosen (refused)
