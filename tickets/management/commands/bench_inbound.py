"""`manage.py bench_inbound N`: store N answers by email (five to each of N/5 requests), then time processing them.

Each message is what a client's mail app sends (plain text with a Gmail-style quoted history, a signed
Reply-To token); processing is the whole path of mail.inbound: parse, cut the quotes, check the sender and
permissions, write the intervention through tickets.services and queue the assignee's notification in the
outbox. Everything it made (a topic, two people, one request, the messages, the emails) is deleted at
the end. Prints messages per second; target ≥ 100/s on PostgreSQL (issue 12).
"""

import time
import uuid
from unittest import mock

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role, User
from mail import inbound, outbox, replies
from mail.models import InboundMessage, OutboxMessage
from tickets import services
from tickets.models import Intervention, Ticket
from topics.models import Topic

ANSWERS_PER_REQUEST = 5  # a conversation's usual length, spread over many requests as in real use
QUOTE = ("\n\nEl lun, 1 dic 2026 a las 10:15, Sysmo Tickets (<{reply_to}>)\nescribió:\n\n"
         "> Hola:\n> Hay una respuesta nueva en tu solicitud.\n> Saludos\n")


class Command(BaseCommand):
    help = "Guarda N respuestas por correo a una solicitud y mide cuántas por segundo se procesan."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--force", action="store_true", help="Correr aunque DEBUG esté apagado.")

    def handle(self, count, force, **options):
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
                stored, cpu_started = time.monotonic(), time.process_time()
                processed = inbound.process_received()
                finished, cpu = time.monotonic(), time.process_time() - cpu_started
                states = dict.fromkeys(InboundMessage.State.values, 0)
                for state in InboundMessage.objects.filter(source="bench", message_id__contains=run).values_list(
                        "state", flat=True):
                    states[state] += 1
                interventions = Intervention.objects.filter(ticket__in=tickets).count()
            finally:
                self._clean(run, topic, operator, client, tickets)
        elapsed = finished - stored
        self.stdout.write(f"{connection.vendor}: stored {count} in {stored - started:.2f} s; states {states}; "
                          f"{interventions} interventions.")
        self.stdout.write(f"This process used {cpu:.2f} s of CPU ({processed / cpu:.0f} messages per CPU second); "
                          "the rest was waiting for the database and for other processes on the machine.")
        self.stdout.write(self.style.SUCCESS(
            f"{processed} messages processed in {elapsed:.2f} s: {processed / elapsed:.0f} messages/s"))
        if interventions != count:
            raise CommandError(f"Only {interventions} of {count} became interventions.")

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
