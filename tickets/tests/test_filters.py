"""The filters and the ordering of the trays: whitelisted keys only, bad values explained (never a 500),
keyset pages that walk the whole list, and the jumps of the search box."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import ClientFactory, CompanyFactory
from tickets import pagination, search, tray_counts
from tickets.models import State
from tickets.tests.factories import AttachmentFactory, InterventionFactory, TicketFactory

pytestmark = pytest.mark.django_db
INBOX = reverse("tickets:inbox")
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def local(day, hour=12, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=BUENOS_AIRES)


def rows(response):
    assert response.status_code == 200
    return [int(n) for n in re.findall(r'<span class="ticket-number">#(\d+)</span>', response.content.decode())]


@pytest.fixture
def desk(world):
    """The world's request plus four more of other companies, states, dates and topics."""
    operator, assignee = world["topic operator"], world["assignee"]
    other_company = CompanyFactory(name="Ferretería Don Julio", cuit="30-71234569-8")
    julio = ClientFactory(full_name="Julio Benítez", email="julio@ferreteria.example", company=other_company)
    t = {"world": world.ticket}
    world.ticket.created_at = local(2)
    world.ticket.last_activity_at = world.ticket.public_activity_at = local(20)
    world.ticket.save()
    t["new"] = TicketFactory(topic=world.topic, requester=julio, created_at=local(10, 23, 30),
                             last_activity_at=local(10, 23, 30))
    t["closed"] = TicketFactory(topic=world.topic, requester=julio, state=State.CLOSED, assignee=operator,
                                closed_by=operator, created_at=local(5), taken_at=local(5), closed_at=local(11, 0, 15),
                                last_activity_at=local(11, 0, 15))
    t["other topic"] = TicketFactory(topic=world.other_topic, requester=world["colleague"], state=State.IN_PROGRESS,
                                     assignee=assignee, created_at=local(12), last_activity_at=local(12))
    t["with file"] = TicketFactory(topic=world.topic, requester=world["requester"], created_at=local(13),
                                   last_activity_at=local(13))
    AttachmentFactory(ticket=t["with file"])
    internal_note = InterventionFactory(ticket=t["new"], author=operator, internal=True, body="Nota interna")
    AttachmentFactory(ticket=t["new"], intervention=internal_note, uploaded_by=operator)
    search.refresh([ticket.pk for ticket in t.values()])
    tray_counts.rebuild()
    return {name: ticket.pk for name, ticket in t.items()}


def listed(client, user, **query):
    client.force_login(user)
    return rows(client.get(INBOX, {"bandeja": "todas" if user.is_administrator else "realizadas", **query}))


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ["world", "with file", "other topic", "new"]),  # open work first
    ({"estado": "todos"}, ["world", "with file", "other topic", "closed", "new"]),
    ({"estado": "nuevo"}, ["with file", "new"]),
    ({"estado": "en_proceso"}, ["world", "other topic"]),
    ({"estado": "cerrado"}, ["closed"]),
    ({"estado": "abiertas"}, ["world", "with file", "other topic", "new"]),
    ({"asignada": "nadie"}, ["with file", "new"]),
    ({"empresa": "30712345698", "estado": "todos"}, ["closed", "new"]),
    ({"empresa": "30-71234569-8", "estado": "todos"}, ["closed", "new"]),
    ({"empresa": "ferretería", "estado": "todos"}, ["closed", "new"]),
    ({"empresa": "ferretería"}, ["new"]),  # its closed one only with the state filter
    ({"empresa": "30-71234569-9"}, []),  # a CUIT with a wrong check digit matches no company
    ({"solicitante": "julio@ferreteria.example", "estado": "todos"}, ["closed", "new"]),
    ({"solicitante": "benítez", "estado": "todos"}, ["closed", "new"]),
    ({"creada_desde": "10/03/2026", "creada_hasta": "12/03/2026"}, ["other topic", "new"]),  # 23:30 local is the 10th
    ({"creada_hasta": "09/03/2026", "estado": "todos"}, ["world", "closed"]),
    # 00:15 local is the 11th
    ({"cerrada_desde": "11/03/2026", "cerrada_hasta": "11/03/2026", "estado": "todos"}, ["closed"]),
    ({"cerrada_hasta": "10/03/2026", "estado": "todos"}, []),
    ({"adjuntos": "on"}, ["with file", "new"]),  # staff see the internal comment's file too
    ({"q": "factura", "estado": "en_proceso"}, ["world"]),
])
def test_each_filter_narrows_the_list(client, world, desk, query, expected):
    assert listed(client, world["administrator"], **query) == [desk[name] for name in expected]


def test_the_topic_and_assignee_filters_take_ids_from_their_lists(client, world, desk):
    admin = world["administrator"]
    assert listed(client, admin, tematica=world.other_topic.pk) == [desk["other topic"]]
    assert listed(client, admin, asignada=world["assignee"].pk) == [desk["world"], desk["other topic"]]


def test_a_client_has_no_staff_filters_and_never_learns_of_internal_files(client, world, desk):
    requester = world["requester"]
    assert listed(client, requester, adjuntos="on") == [desk["with file"]]
    # Staff-only keys are not theirs: ignored, not an error.
    assert listed(client, requester, asignada="nadie", empresa="x", solicitante="y") == \
        [desk["world"], desk["with file"]]
    page = client.get(INBOX).content.decode()
    assert 'name="asignada"' not in page and 'name="empresa"' not in page
    assert "Omar Otro" not in page  # no list of the staff for clients


@pytest.mark.parametrize(("orden", "expected"), [
    ("-actividad", ["world", "with file", "other topic", "closed", "new"]),
    ("actividad", ["new", "closed", "other topic", "with file", "world"]),
    ("numero", ["world", "new", "closed", "other topic", "with file"]),
    ("-numero", ["with file", "other topic", "closed", "new", "world"]),
    ("creada", ["world", "closed", "new", "other topic", "with file"]),
    ("-creada", ["with file", "other topic", "new", "closed", "world"]),
    ("estado", ["with file", "new", "world", "other topic", "closed"]),
    ("-estado", ["closed", "other topic", "world", "new", "with file"]),
])
def test_each_ordering(client, world, desk, orden, expected):
    assert listed(client, world["administrator"], orden=orden, estado="todos") == [desk[name] for name in expected]


@pytest.mark.parametrize("query", [
    {"orden": "-password"}, {"orden": "requester__password"}, {"orden": "password"}, {"orden": ""},
    {"orden": ["numero", "-password"]}, {"requester__password": "x"}, {"requester__password__startswith": "md5"},
    {"ordering": "-password"}, {"o": "requester__email"}, {"assignee__password__contains": "a"},
    {"bandeja": "requester__password"},
])
def test_keys_off_the_whitelist_are_ignored_without_an_error(client, world, desk, query):
    admin = world["administrator"]
    default = listed(client, admin)
    response = client.get(INBOX, {"bandeja": "todas", **query})
    assert rows(response) == default or query.get("orden") == ["numero", "-password"]
    page = response.content.decode()
    assert "is-invalid" not in page and "Revisá los filtros" not in page


@pytest.mark.parametrize("bad", [
    {"creada_desde": "31/02/2026"}, {"creada_desde": "2026/03/01"}, {"cerrada_hasta": "hoy"},
    {"creada_desde": "01/01/0001"}, {"creada_hasta": "31/12/9999"}, {"cerrada_desde": "99/99/99999"},
    {"creada_desde": "12/03/2026", "creada_hasta": "01/03/2026"},
    {"tematica": "abc"}, {"tematica": "999999"}, {"asignada": "-1"}, {"estado": "borrado"},
    {"q": "x" * 500},
])
def test_bad_values_are_explained_and_the_rest_still_applies(client, world, desk, bad):
    client.force_login(world["administrator"])
    response = client.get(INBOX, {"bandeja": "todas", "estado": "abiertas", **bad})
    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page or "invalid-feedback" in page
    assert "Revisá los filtros marcados" in page
    if "estado" not in bad and len(bad) == 1:
        assert rows(response) == [desk[n] for n in ["world", "with file", "other topic", "new"]]


@pytest.mark.parametrize(("bad", "field", "message"), [
    ({"q": "x" * 500}, "q", "Escribí hasta 200 caracteres."),
    ({"tematica": "abc"}, "tematica", "Elegí una opción de la lista."),
    ({"tematica": "999999"}, "tematica", "Elegí una opción de la lista."),
    ({"asignada": "-1"}, "asignada", "Elegí una opción de la lista."),
    ({"asignada": "nadie-ni-nada"}, "asignada", "Elegí una opción de la lista."),
    ({"estado": "borrado"}, "estado", "Elegí un estado de la lista."),
])
@pytest.mark.parametrize("language", ["es-ar", "en"])
def test_a_refused_filter_says_so_in_our_words_next_to_its_field(client, world, desk, bad, field, message,
                                                                 language):
    client.force_login(world["administrator"])
    client.cookies["django_language"] = language
    page = client.get(INBOX, {"bandeja": "todas", **bad}).content.decode()
    with translation.override(language):
        expected = translation.gettext(message.replace("200", "%(limit_value)d")) % {"limit_value": 200} \
            if "200" in message else translation.gettext(message)
    assert f'id="id_{field}_error">{expected}</div>' in page
    # Every field that says it is described by an error points at one that is on the page (screen readers).
    described = set(re.findall(r'aria-describedby="([^"]+)"', page))
    assert described and all(f'id="{each}"' in page for each in described), described


def test_a_reversed_range_says_which_end_is_wrong(client, world, desk):
    client.force_login(world["administrator"])
    page = client.get(INBOX, {"creada_desde": "12/03/2026", "creada_hasta": "01/03/2026"}).content.decode()
    assert "La fecha final no puede ser anterior a la inicial." in page
    page = client.get(INBOX, {"creada_desde": "31/02/2026"}).content.decode()
    assert "La fecha 31/02/2026 no existe: revisá el día y el mes." in page
    page = client.get(INBOX, {"creada_desde": "marzo"}).content.decode()
    assert "Escribí la fecha como dd/mm/aaaa, por ejemplo 31/03/2026." in page


@pytest.mark.parametrize("paging", [
    {"pagina": "abc"}, {"pagina": "-3"}, {"pagina": "0"}, {"pagina": "99999999999999999999"}, {"pagina": "2.5"},
    {"despues": "abc"}, {"despues": "1.2.3.4"}, {"despues": "99999999999999999999.1"}, {"despues": "-5.1"},
    {"antes": "x"}, {"despues": "1741539900123456"}, {"despues": "1741539900123456.abc"},
    {"orden": "estado", "despues": "borrado.1.1"}, {"orden": "numero", "despues": "1.2"},
])
def test_bad_page_numbers_and_cursors_show_a_sane_page(client, world, desk, paging):
    client.force_login(world["administrator"])
    response = client.get(INBOX, {"bandeja": "todas", **paging}, follow=True)
    assert rows(response)  # some page of the list, never a 500 nor an empty page


def test_a_cursor_that_does_not_parse_says_so(client, world, desk):
    client.force_login(world["administrator"])
    page = client.get(INBOX, {"despues": "nada"}).content.decode()
    assert "No pudimos abrir esa página de la lista: te mostramos la primera." in page


@pytest.mark.parametrize("orden", ["-actividad", "actividad", "numero", "-creada", "estado", "-estado"])
def test_pages_walk_the_whole_list_forwards_and_back(client, world, orden, monkeypatch):
    monkeypatch.setattr(pagination, "PER_PAGE", 4)
    base = local(1)
    for n in range(17):  # ties on purpose: equal activity times are told apart by the number
        TicketFactory(topic=world.topic, requester=world["requester"], state=[State.NEW, State.IN_PROGRESS][n % 2],
                      created_at=base + timedelta(hours=n // 3), last_activity_at=base + timedelta(hours=n // 2))
    client.force_login(world["administrator"])
    expected = listed(client, world["administrator"], orden=orden)  # the first page only: 4
    url, seen, pages = f"{INBOX}?bandeja=todas&orden={orden}", [], []
    while url:
        html = client.get(url).content.decode()
        pages.append(url)
        seen += [int(n) for n in re.findall(r'<span class="ticket-number">#(\d+)</span>', html)]
        match = re.search(r'href="([^"]+)" rel="next"', html)
        url = match.group(1).replace("&amp;", "&") if match else ""
    assert len(seen) == len(set(seen)) == 18
    assert seen[:4] == expected
    assert "Página 5" in html and "5 de 18 solicitudes" not in html
    # And back from the last page to the first.
    back = []
    url = pages[-1]
    while url:
        html = client.get(url).content.decode()
        back = [int(n) for n in re.findall(r'<span class="ticket-number">#(\d+)</span>', html)] + back
        match = re.search(r'href="([^"]+)" rel="prev"', html)
        url = match.group(1).replace("&amp;", "&") if match else ""
    assert back == seen


def test_a_request_number_typed_in_the_box_opens_it(client, world, desk):
    client.force_login(world["requester"])
    response = client.get(INBOX, {"q": f"#{desk['world']}"})
    assert response.status_code == 302 and response["Location"] == reverse("tickets:detail", args=[desk["world"]])
    # Someone else's number is not a way to learn it exists: it is searched as text.
    response = client.get(INBOX, {"q": str(desk["other topic"])})
    assert response.status_code == 200


def test_a_cuit_typed_in_the_box_lists_its_company(client, world, desk):
    client.force_login(world["administrator"])
    response = client.get(INBOX, {"bandeja": "todas", "q": "30712345698", "estado": "nuevo"})
    assert response.status_code == 302
    assert "empresa=30-71234569-8" in response["Location"] and "q=" not in response["Location"]
    assert rows(client.get(response["Location"])) == [desk["new"]]


def test_filters_live_in_the_links_of_the_page(client, world, desk, monkeypatch):
    monkeypatch.setattr(pagination, "PER_PAGE", 1)
    client.force_login(world["administrator"])
    topic = f"tematica={world.topic.pk}"
    page = client.get(INBOX, {"bandeja": "todas", "estado": "todos", "tematica": world.topic.pk}).content.decode()
    next_link = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert "estado=todos" in next_link and topic in next_link and "despues=" in next_link
    chip = re.search(r'<a class="filter-chip" href="([^"]+)">\s*<span class="filter-chip-label">Estado:', page)
    assert "estado" not in chip.group(1) and topic in chip.group(1)


FINDER = r'<details class="inbox-finder"( open)?>\s*<summary class="inbox-finder-toggle">(.*?)</summary>'


@pytest.mark.parametrize(
    ("query", "in_use", "open_on_load"),
    [
        ("", 0, False),
        ("?estado=abiertas&orden=numero", 0, False),  # the default state and an ordering narrow nothing
        ("?q=factura", 1, False),
        ("?q=factura&estado=cerrado&adjuntos=on", 3, False),
        ("?creada_desde=31/02/2026", 0, True),  # refused: open, so the error next to the field shows
        ("?estado=todos&creada_desde=31/02/2026", 1, True),
    ],
)
def test_the_phone_control_counts_what_narrows_the_list_and_opens_on_a_refused_filter(client, world, query, in_use,
                                                                                        open_on_load):
    client.force_login(world["topic operator"])
    html = client.get(INBOX + query).content.decode()
    summary = re.search(FINDER, html, re.S)
    count = re.search(r'inbox-finder-count">\((\d+)', summary.group(2))
    assert (int(count.group(1)) if count else 0) == in_use
    assert bool(summary.group(1)) == open_on_load
