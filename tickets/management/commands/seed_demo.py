"""`manage.py seed_demo`: a small demo to click through, the same every time it runs."""

import random
import struct
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, Role, User
from reports import summary as report_summary
from tickets import search, tray_counts
from tickets.demo_data import (
    DEMO_PASSWORD,
    HOUR,
    TOPIC_CATALOGUE,
    Desk,
    LifeSimulator,
    TextPools,
    creation_times,
    day_weight,
    local_days,
    split_total,
    time_spent_draw,
)
from tickets.models import Attachment, Event, Intervention, Ticket, TimeEntry
from topics.models import Topic

DEMO_SEED = 2026
TICKET_COUNT = 50
DEMO_DAYS = 45
RECENT_AGES = (20 * HOUR, 9 * HOUR, 5 * HOUR, 2 * HOUR, 40 * 60, 15 * 60)  # oldest first


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    phone: str
    role: str


ADMIN = DemoUser("admin@demo.sysmo.ar", "Laura Fernández", "+5491145550100", Role.ADMIN)
DEMO_TOPICS = TOPIC_CATALOGUE[:3]  # Soporte técnico, Facturación, Reclamos
# Each operator works the demo topic at the same position.
OPERATORS = (
    DemoUser("operador1@demo.sysmo.ar", "Martín Gómez", "+5491145550101", Role.OPERATOR),
    DemoUser("operador2@demo.sysmo.ar", "Sofía Romero", "+5493514550102", Role.OPERATOR),
    DemoUser("operador3@demo.sysmo.ar", "Diego Sánchez", "+5493414550103", Role.OPERATOR),
)
COMPANIES = (
    ("Panadería La Espiga S.R.L.", "30-71876543-5"),
    ("Estudio Contable Ríos y Asociados", "30-71234569-8"),
)
# (user, index of their company in COMPANIES)
CLIENTS = (
    (DemoUser("cliente1@demo.sysmo.ar", "Ana Martínez", "+5491145550201", Role.CLIENT), 0),
    (DemoUser("cliente2@demo.sysmo.ar", "Jorge Pereyra", "+5491145550202", Role.CLIENT), 0),
    (DemoUser("cliente3@demo.sysmo.ar", "Valeria Acosta", "+5491145550203", Role.CLIENT), 0),
    (DemoUser("cliente4@demo.sysmo.ar", "Ricardo Ríos", "+5492214550204", Role.CLIENT), 1),
    (DemoUser("cliente5@demo.sysmo.ar", "Lucía Benítez", "+5492214550205", Role.CLIENT), 1),
)

ERROR_LOG = """Registro de errores - PC de recepción
12/03 09:14 Error de impresión: la cola se detuvo (código 0x0000011b)
12/03 09:15 Reintento automático fallido
12/03 09:20 Servicio de cola de impresión reiniciado por el usuario
"""


class Command(BaseCommand):
    help = "Carga datos de demostración (usuarios, temáticas, empresas y unas 50 solicitudes). Se puede repetir."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = upsert_people()
            upsert_canned_answers(users)
            created = 0
            if not Ticket.objects.filter(requester__in=users["clients"]).exists():
                created = create_tickets(users)
                # Written directly, not through the services: index them and recount the tabs here.
                search.refresh(Ticket.objects.filter(requester__in=users["clients"]).values_list("pk", flat=True))
                tray_counts.rebuild()
                report_summary.rebuild()
        self.print_logins(users)
        if created:
            self.stdout.write(f"Se crearon {created} solicitudes de demostración.")
        else:
            self.stdout.write("Las solicitudes de demostración ya existían: no se agregó ninguna.")

    def print_logins(self, users):
        """The demo logins as a small table."""
        people = [users["admin"], *users["operators"], *users["clients"]]
        width = max(len(user.email) for user in people) + 2
        self.stdout.write(f"{'Correo':<{width}}{'Rol':<15}Contraseña")
        for user in people:
            self.stdout.write(f"{user.email:<{width}}{user.get_role_display():<15}{DEMO_PASSWORD}")


def upsert_people():
    """The administrator, the operators with their topics, the companies and their clients."""
    password_hash = make_password(DEMO_PASSWORD)
    admin = upsert_user(ADMIN, password_hash, is_staff=True, is_superuser=True)
    operators, desks = [], []
    for spec, topic_spec in zip(OPERATORS, DEMO_TOPICS, strict=True):
        operator = upsert_user(spec, password_hash)
        topic, _ = Topic.objects.update_or_create(
            name=topic_spec.name, defaults={"description": topic_spec.description, "is_active": True}
        )
        topic.operators.add(operator)
        operators.append(operator)
        desks.append(Desk(topic.pk, topic_spec.text_key, (operator.pk,), (operator.pk, admin.pk),
                          topic_spec.resolution_hours * HOUR))
    companies = [Company.objects.update_or_create(cuit=cuit, defaults={"name": name})[0] for name, cuit in COMPANIES]
    clients = [upsert_user(spec, password_hash, company=companies[index]) for spec, index in CLIENTS]
    for company in companies:  # each company's first client is its responsible contact (accounts.membership)
        first = next(client for client, (_spec, index) in zip(clients, CLIENTS, strict=True)
                     if companies[index] == company)
        Company.objects.filter(pk=company.pk).update(contact=first)
    return {"admin": admin, "operators": operators, "clients": clients, "desks": desks}


def upsert_canned_answers(users):
    """A global answer and one for the first topic (tickets.canned), and the operators' signatures (issue 14)."""
    from tickets.models import CannedAnswer

    first_topic = Topic.objects.get(pk=users["desks"][0].topic_id)
    for title, topic, body in [
        ("Saludo y pedido de datos", None, "Hola, {nombre}: gracias por escribirnos. Para avanzar con la solicitud "
                                           "#{numero} necesitamos una captura del error y el número de equipo.\n"
                                           "Saludos, {operador}"),
        ("Ya está resuelto", first_topic, "Hola, {nombre}: ya resolvimos «{asunto}». Si vuelve a pasar, respondé "
                                          "este mensaje y la solicitud se reabre.\nSaludos, {operador}"),
    ]:
        CannedAnswer.objects.update_or_create(title=title, topic=topic, defaults={"body": body,
                                                                                 "created_by": users["admin"]})
    for operator in users["operators"]:
        type(operator).objects.filter(pk=operator.pk, signature="").update(
            signature=f"{operator.full_name}\nMesa de ayuda · Sysmo")


def upsert_user(spec, password_hash, company=None, is_staff=False, is_superuser=False):
    """Create a demo user, or bring it back to its documented state (password included)."""
    fields = {"full_name": spec.full_name, "phone": spec.phone, "role": spec.role, "company": company,
              "company_confirmed": True, "language": "es-ar", "is_active": True, "is_staff": is_staff,
              "is_superuser": is_superuser}
    user, created = User.objects.update_or_create(
        email=spec.email, defaults=fields, create_defaults={**fields, "password": password_hash}
    )
    if not created and not user.check_password(DEMO_PASSWORD):
        user.password = password_hash
        user.save(update_fields=["password"])
    # Email verification is mandatory: without a verified address allauth would not let them in.
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def create_tickets(users):
    """About fifty requests of the last weeks, in every state, with their messages and history."""
    rng = random.Random(DEMO_SEED)
    staff_names = {user.pk: user.full_name for user in [users["admin"], *users["operators"]]}
    # A slow first answer and more reopenings than in real life, so every state and kind of event shows.
    simulator = LifeSimulator(rng, TextPools(DEMO_SEED, size=100), staff_names, take_median_seconds=4 * HOUR,
                              reopen_rate=0.15, never_taken_rate=0.03, never_closed_rate=0.05)
    clients, desks = users["clients"], users["desks"]
    now = int(time.time())
    tickets = []
    time_rng = random.Random(f"{DEMO_SEED}:time")  # its own generator: the requests stay those of the seed
    times = demo_creation_times(rng, now)
    for index, created in enumerate(times):
        desk = desks[int(rng.random() * len(desks))]
        requester = clients[int(rng.random() * len(clients))]
        if index >= len(times) - 2:  # the newest two (always open) are the first demo client's: their tray has work
            requester = clients[0]
        subject, description = simulator.request_text(desk)
        life = simulator.live(created, now, requester.pk, desk)
        tickets.append(save_ticket(desk, requester, subject, description, created, life,
                                   time_draw=time_rng.random))
    attach_demo_files(tickets)
    return len(tickets)


def demo_creation_times(rng, now):
    """Office hours of the last weeks, busier towards today, then the few requests of the last hours.

    The newest requests have fixed ages, so whatever the hour the demo is loaded, the seed decides
    their states and the inboxes always show new and in-progress work.
    """
    until = now - max(RECENT_AGES)
    tz = timezone.get_default_timezone()
    today = datetime.fromtimestamp(until, tz).date()
    days = local_days(tz, today - timedelta(days=DEMO_DAYS), today)
    weights = [day_weight(day, start, until) * (1 + 9 * (n / len(days)) ** 3) for n, (day, start) in enumerate(days)]
    counts = split_total(TICKET_COUNT - len(RECENT_AGES), weights)
    return [*creation_times(rng, [start for _, start in days], counts, until), *(now - age for age in RECENT_AGES)]


def as_datetime(epoch_seconds):
    """An aware UTC datetime, or None."""
    return None if epoch_seconds is None else datetime.fromtimestamp(epoch_seconds, UTC)


def save_ticket(desk, requester, subject, description, created, life, time_draw=None):
    """Write one request with its interventions, events and the time spent recorded with staff messages."""
    ticket = Ticket.objects.create(
        topic_id=desk.topic_id, subject=subject, description=description, requester=requester,
        company_id=requester.company_id, state=life.state, assignee_id=life.assignee_id,
        created_at=as_datetime(created), taken_at=as_datetime(life.taken_at), closed_at=as_datetime(life.closed_at),
        closed_by_id=life.closed_by_id, last_activity_at=as_datetime(life.last_activity_at),
        public_activity_at=as_datetime(life.public_activity_at),
    )
    messages = Intervention.objects.bulk_create(
        Intervention(ticket=ticket, author_id=author_id, internal=internal, body=body, created_at=as_datetime(at))
        for at, author_id, internal, body in life.interventions
    )
    if time_draw is not None:
        TimeEntry.objects.bulk_create(
            TimeEntry(intervention=message, ticket=ticket, author_id=message.author_id, topic_id=desk.topic_id,
                      company_id=ticket.company_id, minutes=minutes, at=message.created_at)
            for message in messages
            if message.author_id != requester.pk and (minutes := time_spent_draw(time_draw))
        )
    Event.objects.bulk_create(
        Event(ticket=ticket, actor_id=actor_id, kind=kind, before=before, after=after, at=as_datetime(at))
        for at, actor_id, kind, before, after in life.events
    )
    return ticket


def attach_demo_files(tickets):
    """A screenshot on the first request's description and a log on the first public message of a client."""
    first = tickets[0]
    save_attachment(first, None, "captura-del-error.png", "image/png", tiny_png(), first.requester_id,
                    first.created_at)
    reply = (
        Intervention.objects.filter(ticket__in=tickets, internal=False, author__role=Role.CLIENT)
        .order_by("created_at", "id").first()
    )
    save_attachment(reply.ticket, reply, "registro-de-errores.txt", "text/plain", ERROR_LOG.encode(),
                    reply.author_id, reply.created_at)


def save_attachment(ticket, intervention, name, content_type, data, uploaded_by_id, at):
    """Store a file through the attachment's FileField, so it lands in private storage."""
    attachment = Attachment(ticket=ticket, intervention=intervention, original_name=name, size=len(data),
                            content_type=content_type, uploaded_by_id=uploaded_by_id, created_at=at)
    attachment.file.save(name, ContentFile(data), save=True)


def tiny_png(width=16, height=16, rgb=(13, 110, 253)):
    """A small solid-colour PNG, so the demo has a real image to download."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = (b"\x00" + bytes(rgb) * width) * height
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")
