"""`manage.py bench_inbound N`: store N answers by email (five to each of N/5 requests), then time processing them.

Each message is what a client's mail app sends (plain text with a Gmail-style quoted history, a signed
Reply-To token); processing is the whole path of mail.inbound: parse, cut the quotes, check the sender and
permissions, write the intervention through tickets.services and queue the assignee's notification in the
outbox. Everything it made (a topic, two people, one request, the messages, the emails) is deleted at
the end. Prints messages per second; target ≥ 100/s on PostgreSQL (issue 12).
"""

import multiprocessing
import os
import time
import uuid
from contextlib import contextmanager
from unittest import mock

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role, User
from mail import inbound, outbox, replies
from mail.models import InboundMessage, OutboxMessage
from tickets import services
from tickets.models import Intervention, Ticket
from topics.models import Topic

LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")
ANSWERS_PER_REQUEST = 5  # a conversation's usual length, spread over many requests as in real use
QUOTE = ("\n\nEl lun, 1 dic 2026 a las 10:15, Sysmo Tickets (<{reply_to}>)\nescribió:\n\n"
         "> Hola:\n> Hay una respuesta nueva en tu solicitud.\n> Saludos\n")


class Command(BaseCommand):
    help = "Guarda N respuestas por correo a una solicitud y mide cuántas por segundo se procesan."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--force", action="store_true", help="Correr aunque DEBUG esté apagado.")
        parser.add_argument("--workers", type=int, default=1,
                            help="Procesos que procesan a la vez (comparten lo recibido, como varios workers).")

    def handle(self, count, force, workers, **options):
        if not (settings.DEBUG or force):
            raise CommandError("bench_inbound escribe y borra datos de prueba: correlo con DEBUG=1 o --force.")
        run = uuid.uuid4().hex[:8]
        self.started_at = timezone.now()
        # The notifications are queued in the outbox (as in production) but not delivered here: delivery
        # is a worker's job, measured by bench_outbox.
        with override_settings(EMAIL_BACKEND="mail.outbox.OutboxBackend", INBOUND_RATE_LIMIT=count + 1), \
                mock.patch.object(outbox, "enqueue", lambda: None):
            topic, operator, client, tickets = self._world(run, max(1, count // ANSWERS_PER_REQUEST))
            try:
                raws = [self._message(run, n, tickets[n % len(tickets)], client) for n in range(count)]
                started = time.monotonic()
                for raw in raws:
                    inbound.store(raw, source="bench")
                stored = time.monotonic()
                if workers > 1:
                    processed, queries, cpu, db_cpu = _in_workers(workers)
                else:
                    processed, queries, cpu, db_cpu = _measured()
                finished = time.monotonic()
                states = dict.fromkeys(InboundMessage.State.values, 0)
                for state in InboundMessage.objects.filter(source="bench", message_id__contains=run).values_list(
                        "state", flat=True):
                    states[state] += 1
                interventions = Intervention.objects.filter(ticket__in=tickets).count()
            finally:
                self._clean(run, topic, operator, client, tickets)
        elapsed = finished - stored
        self.stdout.write(f"{connection.vendor}: stored {count} in {stored - started:.2f} s; states {states}; "
                          f"{interventions} interventions. Load average {_load()}.")
        self.stdout.write(f"{queries / max(processed, 1):.1f} queries per message (besides BEGIN and COMMIT); "
                          f"{workers} worker process{'es' if workers > 1 else ''}.")
        plural = "s" if workers > 1 else ""
        if db_cpu is None:
            self.stdout.write(f"CPU: this process {cpu:.2f} s ({processed / cpu:.0f} messages per CPU second); "
                              "the database's own CPU cannot be read from here.")
        else:
            self.stdout.write(
                f"CPU: processing {cpu:.2f} s + its PostgreSQL backend{plural} {db_cpu:.2f} s = {cpu + db_cpu:.2f} s "
                f"({processed / (cpu + db_cpu):.0f} messages per CPU second); the rest of the time was spent "
                "waiting (round trips, the disk, other processes on the machine).")
        self.stdout.write(self.style.SUCCESS(
            f"{processed} messages processed in {elapsed:.2f} s: {processed / elapsed:.0f} messages/s"))
        if interventions != count or processed != count:
            raise CommandError(f"{interventions} of {count} messages became interventions; the workers say they "
                               f"processed {processed}.")

    def _world(self, run, requests):
        operator = User.objects.create_user(f"operadora-{run}@bench.invalid", full_name="Operadora Bench",
                                            role=Role.OPERATOR)
        client = User.objects.create_user(f"cliente-{run}@bench.invalid", full_name="Cliente Bench",
                                          role=Role.CLIENT)
        EmailAddress.objects.create(user=client, email=client.email, verified=True, primary=True)
        topic = Topic.objects.create(name=f"Bench {run}")
        topic.operators.add(operator)
        tickets = []
        for n in range(requests):
            ticket, _created = services.create(by=client, topic=topic, subject=f"Bench {n}", description="Bench")
            services.take(ticket, by=operator)
            tickets.append(ticket)
        return topic, operator, client, tickets

    def _message(self, run, n, ticket, client):
        reply_to = replies.reply_address(ticket.number, client.pk)
        text = f"Respuesta número {n}: ya probé lo que me dijeron y sigue igual." + QUOTE.format(reply_to=reply_to)
        return (f"From: Cliente Bench <{client.email}>\r\nTo: {reply_to}\r\n"
                f"Subject: Re: Nueva respuesta en la solicitud #{ticket.number}\r\n"
                f"Message-ID: <{run}-{n}@bench.invalid>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + text.replace("\n", "\r\n")).encode()

    def _clean(self, run, topic, operator, client, tickets):
        InboundMessage.objects.filter(message_id__contains=f"{run}-").delete()
        ours = [row.pk for row in OutboxMessage.objects.only("to").filter(created_at__gte=self.started_at)
                if any(address.endswith(f"{run}@bench.invalid") for address in row.to)]
        OutboxMessage.objects.filter(pk__in=ours).delete()
        Ticket.objects.filter(pk__in=[ticket.pk for ticket in tickets]).delete()
        topic.delete()
        User.objects.filter(pk__in=[operator.pk, client.pk]).delete()


def _measured():
    """Process what is «received» here: (messages, queries, CPU seconds of this process, of its PostgreSQL
    backend or None)."""
    cpu_started, db_started = time.process_time(), _backend_cpu()
    with _counting_queries() as queries:
        processed = inbound.process_received()
    cpu = time.process_time() - cpu_started
    db_cpu = _backend_cpu() - db_started if db_started is not None else None
    return processed, queries[0], cpu, db_cpu


def _in_workers(workers):
    """The same in `workers` forked processes at once, each with its own connection, sharing the backlog
    as production workers do (mail.inbound.process_received skips the rows another one holds)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    connections.close_all()  # each child opens its own

    def work():
        try:
            results.put(_measured())
        finally:
            connections.close_all()

    children = [context.Process(target=work) for _ in range(workers)]
    for child in children:
        child.start()
    figures = [results.get(timeout=3600) for _ in children]
    for child in children:
        child.join()
    return tuple(sum(column) if None not in column else None for column in zip(*figures, strict=True))


@contextmanager
def _counting_queries():
    """[number of queries run on the default connection inside the block]."""
    counted = [0]

    def count(execute, sql, params, many, context):
        counted[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counted


def _backend_cpu():
    """CPU seconds used so far by this connection's PostgreSQL backend, when it runs on this machine and
    /proc can be read (else None)."""
    if connection.vendor != "postgresql" or connection.settings_dict["HOST"] not in LOCAL_HOSTS:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _load():
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"
