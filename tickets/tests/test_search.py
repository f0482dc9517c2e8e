"""Full-text search: Spanish, accent- and case-insensitive, kept up to date by the services, and an
internal comment never found by a client. Runs on whichever database the suite runs on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets import search, services
from tickets.models import Ticket
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def found(user, text):
    """The numbers a user finds in their widest tray, through the page."""
    tickets = Ticket.objects.visible_to(user)
    return set(search.matching(tickets, text, include_internal=user.is_operator).values_list("pk", flat=True))


@pytest.fixture
def filed(world):
    """A request filed through the services, with a public reply and an internal comment."""
    requester, operator = world["requester"], world["topic operator"]
    ticket, _ = services.create(by=requester, topic=world.topic, subject="La impresora fiscal no imprime",
                                description="Desde el lunes falla la gestión de comprobantes en la caja.")
    services.reply(ticket, by=operator, body="¿Probaron reiniciar el controlador?")
    services.comment_internally(ticket, by=operator, body="Cliente moroso: avisar a contaduría antes de ir.")
    return ticket


@pytest.mark.parametrize("text", [
    "impresora", "IMPRESORA", "impresoras", "gestion", "gestión", "GESTIÓN", "gestiones", "controlador",
    "impresora caja", "#fiscal!",
])
def test_words_are_found_without_accents_case_or_plural(filed, world, text):
    assert found(world["requester"], text) == {filed.pk}
    assert found(world["topic operator"], text) == {filed.pk}


@pytest.mark.parametrize("text", ["helicóptero", "impresora helicóptero", "", "   ", "de la", "***"])
def test_what_is_not_there_finds_nothing(filed, world, text):
    assert found(world["administrator"], text) == set()


def test_internal_comments_are_found_by_operators_and_never_by_the_client(filed, world, client):
    assert found(world["topic operator"], "morosos contaduria") == {filed.pk}
    assert found(world["administrator"], "moroso") == {filed.pk}
    assert found(world["requester"], "moroso") == set()
    assert found(world["requester"], "contaduría") == set()

    client.force_login(world["requester"])
    page = client.get(reverse("tickets:inbox"), {"q": "moroso"}).content.decode()
    assert "No encontramos solicitudes" in page
    assert filed.subject not in page


def test_each_write_refreshes_the_index_in_its_transaction(world):
    requester, operator = world["requester"], world["topic operator"]
    ticket, _ = services.create(by=requester, topic=world.topic, subject="Alta de usuario", description="Nuevo.")
    assert found(requester, "tostadora") == set()
    services.reply(ticket, by=requester, body="También se rompió la tostadora.")
    assert found(requester, "tostadora") == {ticket.pk}
    services.comment_internally(ticket, by=operator, body="Escalado al proveedor externo.")
    assert found(operator, "proveedor") == {ticket.pk}
    services.take(ticket, by=operator)
    services.close(ticket, by=operator, message="Cambiamos el termostato.")
    assert found(requester, "termostato") == {ticket.pk}
    assert found(requester, "proveedor") == set()


def test_matches_beyond_the_first_page_of_the_tray_are_found(world, client, settings):
    """The search is a condition of the list's own subquery (pagination): it must apply to that subquery's rows."""
    requester = world["requester"]
    older = TicketFactory.create_batch(3, topic=world.topic, requester=requester, subject="Balanza descalibrada")
    TicketFactory.create_batch(30, topic=world.topic, requester=requester, subject="Otra cosa")  # more recent
    search.refresh(Ticket.objects.values_list("pk", flat=True))
    client.force_login(requester)
    page = client.get(reverse("tickets:inbox"), {"q": "balanzas"}).content.decode()
    assert page.count("Balanza descalibrada") == 3
    assert "3 solicitudes" in page
    assert {t.pk for t in older} == found(requester, "balanza")


def test_search_never_scans_the_table_with_like(filed, world):
    with CaptureQueriesContext(connection) as queries:
        found(world["topic operator"], "impresora")
    assert queries.captured_queries
    assert not any("LIKE" in query["sql"].upper() for query in queries.captured_queries)


def test_rebuild_indexes_what_was_written_around_the_services(world):
    ticket = TicketFactory(topic=world.topic, requester=world["requester"], subject="Router sin conexión")
    assert found(world["requester"], "router") == set()  # written by a factory: not indexed
    assert search.rebuild(batch_size=1) >= 1
    assert found(world["requester"], "router") == {ticket.pk}


@pytest.mark.parametrize(("typed", "expected"), [
    ("123", search.Query(text="123", number=123)),
    ("#45", search.Query(text="#45", number=45)),
    ("# 7", search.Query(text="# 7", number=7)),
    ("30-71876543-5", search.Query(text="30-71876543-5", cuit="30-71876543-5")),
    ("30718765435", search.Query(text="30718765435", cuit="30-71876543-5")),
    ("30718765436", search.Query(text="30718765436", number=30718765436)),  # check digit wrong: a number
    ("1234567890123", search.Query(text="1234567890123")),  # too long for a request number: text
    ("0", search.Query(text="0")),
    ("impresora 3", search.Query(text="impresora 3")),
    (None, search.Query()),
])
def test_what_was_typed_is_a_number_a_cuit_or_text(typed, expected):
    assert search.interpret(typed) == expected


def test_queries_quote_every_term_so_nothing_typed_is_syntax():
    terms = search.query_terms('impresoras "OR" NEAR(gestión) -*')
    assert terms == [("impresor", None), ("or", None), ("near", None), ("gestion", "gestion")]
    assert search.fts_expression(terms) == '"impresor" AND "or" AND "near" AND "gestion"*'
    assert search.tsquery(terms) == "'impresor' & 'or' & 'near' & 'gestion':*"
    assert search.query_terms("de la y") == []


@pytest.mark.parametrize(("typed", "expected"), [
    ("documen", [("docum", "documen")]),
    ("Regímenes lápices", [("regim", None), ("lapic", "lapices")]),
    ("luces luz LUZ", [("luc", "luz")]),  # one term per normal form; the last word's prefix wins
    ("x" * 80, [("x" * search.MAX_WORD_LENGTH, "x" * search.MAX_WORD_LENGTH)]),
])
def test_query_terms_are_normal_forms_and_the_last_word_as_a_prefix(typed, expected):
    assert search.query_terms(typed) == expected


def test_a_document_holds_the_words_as_written_and_their_normal_forms():
    stored = search.document("Se quemaron las LUCES del depósito", "", None, "Régimen")
    assert set(stored.split()) == {"quemaron", "quem", "luces", "luc", "deposito", "deposit", "regimen", "regim"}


def test_normal_forms_are_the_same_when_threads_compute_them_at_once():
    """The data generator indexes on two threads: a stemmer shared between them mixed up their words."""
    from concurrent.futures import ThreadPoolExecutor

    words = [f"{stem}{n}" for n in range(2000) for stem in ("factura", "impresoras", "regimenes")]
    expected = [search.normal_form.__wrapped__(word) for word in words]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda chunk: [search.normal_form.__wrapped__(w) for w in chunk], [words] * 4))
    assert all(result == expected for result in results)


def test_postgres_asks_only_for_what_the_column_holds_and_spells_out_the_completions():
    terms = search.query_terms("impresoras docu")
    assert search.tsquery(terms) == "'impresor' & 'docu':*"  # no vocabulary: every term, the prefix
    known = search.Known(frozenset({"impresor"}), ("documentacion", "documento"))
    assert search.tsquery(terms, known) == "'impresor' & ('documentacion' | 'documento')"
    many = search.Known(frozenset({"impresor", "docu"}), None)  # too many completions: the prefix operator
    assert search.tsquery(terms, many) == "'impresor' & 'docu':*"
    assert search.tsquery(terms, search.Known(frozenset({"impresor"}), ())) is None  # nothing begins with docu
    assert search.tsquery(terms, search.Known(frozenset(), ("documento",))) is None  # no impresora
    assert search.tsquery(search.query_terms("fiscal"), many) == "'fiscal':*"


@pytest.mark.parametrize("max_completions", [0, 1, 100])
def test_a_prefix_finds_the_same_however_many_completions_it_has(world, monkeypatch, max_completions):
    monkeypatch.setattr(search, "MAX_COMPLETIONS", max_completions)
    requester = world["requester"]
    ticket, _ = services.create(by=requester, topic=world.topic, subject="Documentación y documentos",
                                description="Falta documentar el alta.")
    other, _ = services.create(by=requester, topic=world.topic, subject="Docentes", description="Nada más.")
    assert found(requester, "documen") == {ticket.pk}
    assert found(requester, "doc") == {ticket.pk, other.pk}
    assert found(requester, "alta docum") == {ticket.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the vocabulary is PostgreSQL's")
def test_every_term_stored_is_in_the_vocabulary_of_its_column_once(filed):
    search.refresh([filed.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT term, internal, count(*) FROM tickets_search_term GROUP BY term, internal")
        vocabulary = {(term, internal): count for term, internal, count in cursor.fetchall()}
        cursor.execute("SELECT search_public, search_internal FROM tickets_ticket WHERE number = %s", [filed.pk])
        public, internal = cursor.fetchone()
    for vector, is_internal in ((public, False), (internal, True)):
        assert {(term.strip("'"), is_internal) for term in vector.split()} <= set(vocabulary)
    assert ("impresora", False) in vocabulary and ("moros", True) in vocabulary
    assert ("moros", False) not in vocabulary
    assert set(vocabulary.values()) == {1}
    known = search.vocabulary(search.query_terms("moroso impres"))
    assert known[False] == search.Known(frozenset(), ("impresor", "impresora"))
    assert known[True] == search.Known(frozenset({"moros"}), ())
