"""The commands around the trays: the generator fills the search index and the counters,
rebuild_search / rebuild_counters repair data written around the services, bench_inboxes measures."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tickets import news, search, tray_counts
from tickets.models import Intervention, Seen, Ticket
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def run(*args):
    output = StringIO()
    call_command(*args, stdout=output, stderr=StringIO())
    return output.getvalue()


def test_generated_requests_are_searchable_and_counted():
    run("generate_tickets", "120", "--seed", "3", "--batch-size", "50")
    assert tray_counts.drift() == {}
    every = Ticket.objects.all()
    ticket = every.order_by("number")[60]
    word = max(ticket.subject.split(), key=len)
    assert ticket.pk in set(search.matching(every, word, include_internal=False).values_list("pk", flat=True))
    note = Intervention.objects.filter(internal=True).select_related("ticket").first()
    word = max(note.body.split(), key=len)
    assert note.ticket_id in set(search.matching(every, word, include_internal=True).values_list("pk", flat=True))


def test_rebuild_commands_repair_what_was_written_around_the_services(world):
    ticket = TicketFactory(topic=world.topic, subject="Heladera de la sucursal sin frío")
    with pytest.raises(CommandError):
        run("rebuild_counters", "--check")
    assert "Listo" in run("rebuild_counters")
    assert "coinciden" in run("rebuild_counters", "--check")
    assert not search.matching(Ticket.objects.all(), "heladera", include_internal=True).exists()
    assert "Listo" in run("rebuild_search", "--batch-size", "1")
    assert list(search.matching(Ticket.objects.all(), "heladeras", include_internal=True)) == [ticket]


def test_bench_inboxes_measures_every_case_for_each_role(settings):
    run("generate_tickets", "80", "--seed", "5", "--batch-size", "40")
    output = run("bench_inboxes", "--repeat", "1")
    for role in ("cliente", "operador", "administrador"):
        for case in ("bandeja realizadas", "filtro estado=nuevo", "buscar frecuente", "buscar rara",
                     "buscar sin resultados", "página profunda", "página de una solicitud"):
            assert re.search(rf"^{role}\s+{case}.*\s\d+$|^{role}\s+{case}.*\d+\s+✗$", output, re.M), (role, case)
    assert "bandeja todas" in output and "p95 ms" in output and "CPU ms" in output
    # p50, p95, target, CPU per request, queries: the CPU column holds a time, not a count.
    row = re.search(r"^operador\s+bandeja asignadas\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+\.\d)\s+(\d+)", output, re.M)
    assert row and float(row[4]) > 0, output
    # The staff measured have opened requests, some with news, so the lists carry the markers.
    assert re.search(r"^operador: [\d,]+ solicitudes vistas, [1-9][\d,]* con novedades\.$", output, re.M)
    for role in ("operator", "admin"):
        assert Seen.objects.filter(news.ANY, user__role=role).exists(), role
    for case in ("bandeja sin_asignar", "sin asignar, urgentes primero", "filtro estado=cerrado",
                 "filtro estado=todos", "todos los estados, urgentes primero"):
        assert re.search(rf"^operador\s+{case}", output, re.M), case


def test_bench_inboxes_needs_data():
    with pytest.raises(CommandError, match="generate_tickets"):
        run("bench_inboxes")



@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers need PostgreSQL (DATABASE_URL=postgres://…)")
def test_two_writers_write_every_batch_once_indexed_and_counted():
    output = run("generate_tickets", "230", "--seed", "7", "--batch-size", "40", "--writers", "2")
    assert "230 solicitudes" in output
    numbers = list(Ticket.objects.order_by("number").values_list("number", flat=True))
    assert len(numbers) == 230 and numbers == list(range(numbers[0], numbers[0] + 230))
    assert tray_counts.drift() == {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket WHERE search_public IS NULL")
        assert cursor.fetchone()[0] == 0
    assert Intervention.objects.filter(ticket__isnull=True).count() == 0
