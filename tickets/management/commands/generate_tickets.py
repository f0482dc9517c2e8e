"""`manage.py generate_tickets N`: many realistic requests of the last two years, added to what exists.

For load tests and reports. People and topics go through the ORM (they are few); requests,
interventions, events, the surveys of closed requests and the time spent recorded with staff messages are
written in batches with explicit ids above the current maximum: COPY on PostgreSQL (two connections at once, see
BatchWriters), executemany on SQLite. Requests are indexed for search as they are written, from the texts at hand
(tickets.search.document, each distinct text normalised once): on PostgreSQL their tsvectors are columns of the
same COPY (one write per row); on SQLite the FTS5 rows follow each batch. The sequences are moved past the new
ids, the tab counts recounted (tickets.tray_counts.rebuild), the reports' daily summary rebuilt
(reports.summary.rebuild) and the new search terms added to the vocabulary at the end.
"""

import argparse
import random
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import islice

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from accounts.models import STAFF_ROLES, Company, Role, User
from reports import summary as report_summary
from satisfaction.models import Survey
from sla.business_hours import business_minutes, current_schedule
from tickets import search, tray_counts
from tickets.demo_data import (
    DAY,
    DEMO_PASSWORD,
    GENERIC_RESOLUTION_HOURS,
    GENERIC_TEXT_KEY,
    GENERIC_WEIGHT,
    HOUR,
    TOPIC_CATALOGUE,
    Desk,
    LifeSimulator,
    TextPools,
    ascii_slug,
    company_cuits,
    creation_times,
    day_weight,
    local_days,
    mobile_phone,
    split_total,
    time_spent_draw,
    weighted_picker,
)
from tickets.models import Event, Intervention, Ticket, TimeEntry
from topics.models import Topic

DAYS_OF_HISTORY = 730
MIN_ACTIVE_TOPICS = 6
TICKETS_PER_COMPANY = 250
TICKETS_PER_OPERATOR = 4000
MAX_OPERATORS = 300
OPERATOR_EMAIL_DOMAIN = "mesa-de-ayuda.example"  # reserved TLD: generated people can never get real mail

TICKET_FIELDS = ("number", "topic", "subject", "description", "requester", "company", "state", "assignee",
                 "created_at", "taken_at", "closed_at", "closed_by", "last_activity_at", "public_activity_at",
                 "channel", "priority", "first_response_at", "first_response_by", "first_response_minutes",
                 "sla_notified", "sla_paused_minutes")
# How urgent requests are: most Normal, a few Urgente.
PRIORITY_SHARES = ((2, 0.70), (3, 0.15), (1, 0.10), (4, 0.05))
# How requests come in: most on the web, the rest filed by staff for clients who phoned, wrote or came in.
CHANNEL_SHARES = (("web", 0.70), ("phone", 0.13), ("email", 0.09), ("whatsapp", 0.06), ("in_person", 0.02))
INTERVENTION_FIELDS = ("id", "ticket", "author", "body", "internal", "created_at", "signature")
EVENT_FIELDS = ("id", "ticket", "actor", "kind", "before", "after", "at")
# The closing email's survey (issue 15): every request closed by staff was asked; about a third answer,
# mostly well; a quarter of those leave a comment; a few change their answer within the week.
SURVEY_FIELDS = ("ticket", "requester", "assignee", "topic", "sent_at", "score", "comment", "answered_at",
                 "changed_at")
SURVEY_ANSWER_RATE = 0.34
SCORE_SHARES = ((5, 0.46), (4, 0.29), (3, 0.12), (2, 0.07), (1, 0.06))
SURVEY_COMMENT_RATE = 0.25
SURVEY_COMMENTS = {
    5: ("¡Excelente atención, muy rápidos!", "Gracias, lo resolvieron en el día.", "Muy amables y claros.",
        "Impecable, como siempre."),
    4: ("Bien, aunque tardaron un poco en responder.", "Resuelto, gracias.", "Buena atención."),
    3: ("Se resolvió, pero tuve que insistir.", "Correcto, nada más.", "Tardó más de lo esperado."),
    2: ("Tardaron varios días en contestar.", "Me pidieron dos veces los mismos datos."),
    1: ("Nunca me explicaron qué pasó.", "Tuve que llamar por teléfono para que lo vieran."),
}
TIME_ENTRY_FIELDS = ("intervention", "ticket", "author", "topic", "company", "minutes", "at")


def positive_int(value):
    """argparse type: an integer of at least 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("tiene que ser 1 o más")
    return number


class Command(BaseCommand):
    help = ("Genera N solicitudes realistas de los últimos dos años (con empresas, clientes, operadores, "
            "intervenciones y eventos) y las agrega a los datos existentes.")

    def add_arguments(self, parser):
        parser.add_argument("count", type=positive_int, help="cuántas solicitudes generar")
        parser.add_argument("--seed", type=int, help="semilla: la misma semilla repite los mismos datos")
        parser.add_argument("--batch-size", type=positive_int, default=5000, help="solicitudes por transacción")
        parser.add_argument("--writers", type=positive_int, default=2,
                            help="conexiones que escriben lotes a la vez (solo PostgreSQL)")

    def handle(self, count, seed, batch_size, writers, **options):
        started = time.monotonic()
        writer = writer_for_database()
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        now = int(time.time())
        texts = TextPools(seed)
        # One generator per concern, so the requests a seed makes do not depend on who already exists.
        with transaction.atomic():
            cast = Cast.hire(random.Random(f"{seed}:people"), texts, count, now)
        self.stdout.write(
            f"Semilla {seed}: {len(cast.desks)} temáticas, {cast.new_operators} operadores, "
            f"{cast.new_companies} empresas y {len(cast.clients)} clientes nuevos."
        )
        requests_rng = random.Random(f"{seed}:requests")
        simulator = LifeSimulator(requests_rng, texts, cast.staff_names)
        builder = RowBuilder(cast, requests_rng, simulator, now, writer.to_db_time,
                             survey_rng=random.Random(f"{seed}:surveys"), time_rng=random.Random(f"{seed}:time"))
        schedule = request_schedule(random.Random(f"{seed}:schedule"), count, now)
        try:
            with tqdm(total=count, unit=" solicitudes", desc="Generando") as progress, \
                    BatchWriters(writer, writers) as pool:
                for times in batches(schedule, batch_size):
                    pool.submit(builder.rows_for(times), partial(progress.update, len(times)))
        finally:
            # Also after an interruption: the batches already committed used explicit ids.
            reset_sequences()
            with transaction.atomic():
                tray_counts.rebuild()
                report_summary.rebuild()
                # The terms of every text written (the texts come from pools): PostgreSQL's vocabulary of what
                # each column holds (tickets.search.vocabulary).
                search.remember_terms(set().union(*writer.public_terms.values()), internal=False)
                search.remember_terms(set().union(*writer.internal_terms.values()), internal=True)
            analyze()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Listo: {count} solicitudes, {builder.intervention_count} intervenciones ({builder.time_entry_count} "
            f"con tiempo dedicado) y {builder.event_count} eventos en {elapsed:.1f} s "
            f"({count / elapsed:.0f} solicitudes/s)."
        )


# --- Who files and works the requests ---------------------------------------------------------

@dataclass
class Cast:
    """The people and topics the generated requests are spread over."""

    desks: list
    desk_weights: list
    clients: list  # (user id, company id)
    staff_names: dict
    new_operators: int
    new_companies: int

    @classmethod
    def hire(cls, rng, texts, ticket_count, now):
        """Make sure there are topics, then add operators, companies and clients in proportion to the requests."""
        password_hash = make_password(DEMO_PASSWORD)
        joined = datetime.fromtimestamp(now - DAYS_OF_HISTORY * DAY, UTC)
        topics = ensure_topics()
        operator_count = max(len(topics), min(MAX_OPERATORS, max(6, ticket_count // TICKETS_PER_OPERATOR)))
        create_operators(rng, texts, topics, operator_count, password_hash, joined)
        companies = create_companies(rng, texts, max(3, ticket_count // TICKETS_PER_COMPANY), joined)
        clients = create_clients(rng, texts, companies, password_hash, joined)
        desks, weights, staff_names = desks_for(topics)
        return cls(desks, weights, clients, staff_names, operator_count, len(companies))


def ensure_topics():
    """The active topics, after creating the catalogue's when there are too few."""
    if Topic.objects.filter(is_active=True).count() < MIN_ACTIVE_TOPICS:
        for spec in TOPIC_CATALOGUE:
            Topic.objects.get_or_create(name=spec.name, defaults={"description": spec.description})
    return list(Topic.objects.filter(is_active=True).order_by("pk"))


def next_id(model):
    """The first id above every existing row of `model`."""
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def new_user(rng, texts, user_id, role, domain, password_hash, joined, company_id=None):
    """An unsaved user with a unique lowercase email (the id is part of it)."""
    full_name = texts.full_name(rng)
    return User(
        pk=user_id, email=f"{ascii_slug(full_name, '.')}.{user_id}@{domain}", full_name=full_name,
        phone=mobile_phone(rng), role=role, company_id=company_id, password=password_hash,
        date_joined=joined - timedelta(days=int(rng.random() * 365)),
    )


def verify_emails(users):
    """Verified primary addresses, as allauth requires before letting anyone log in."""
    addresses = [EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True) for user in users]
    EmailAddress.objects.bulk_create(addresses, batch_size=1000)


def create_operators(rng, texts, topics, count, password_hash, joined):
    """Operators spread over every topic (round robin), some of them working a second topic."""
    first_id = next_id(User)
    operators = [new_user(rng, texts, first_id + n, Role.OPERATOR, OPERATOR_EMAIL_DOMAIN, password_hash, joined)
                 for n in range(count)]
    User.objects.bulk_create(operators, batch_size=1000)
    verify_emails(operators)
    memberships = []
    for n, operator in enumerate(operators):
        memberships.append(Topic.operators.through(topic_id=topics[n % len(topics)].pk, user_id=operator.pk))
        second = topics[int(rng.random() * len(topics))]
        if rng.random() < 0.3 and second != topics[n % len(topics)]:
            memberships.append(Topic.operators.through(topic_id=second.pk, user_id=operator.pk))
    Topic.operators.through.objects.bulk_create(memberships, batch_size=1000)


def create_companies(rng, texts, count, joined):
    """Companies with valid CUITs that no existing company has."""
    first_id = next_id(Company)
    cuits = company_cuits(rng, count, taken=Company.objects.values_list("cuit", flat=True))
    companies = [
        Company(pk=first_id + n, name=texts.company_name(rng), cuit=cuit,
                created_at=joined - timedelta(days=int(rng.random() * 365)))
        for n, cuit in enumerate(cuits)
    ]
    Company.objects.bulk_create(companies, batch_size=1000)
    return companies


def create_clients(rng, texts, companies, password_hash, joined):
    """One to five clients per company; returns (user id, company id) pairs."""
    user_id = next_id(User)
    clients = []
    for company in companies:
        domain = f"{ascii_slug(company.name, '-')[:40].strip('-')}.example"
        for _ in range(1 + int(rng.random() * 5)):
            clients.append(new_user(rng, texts, user_id, Role.CLIENT, domain, password_hash, joined, company.pk))
            user_id += 1
    User.objects.bulk_create(clients, batch_size=1000)
    verify_emails(clients)
    return [(client.pk, client.company_id) for client in clients]


def desks_for(topics):
    """Each topic's desk (its active operators), how often it gets requests, and the operators' names."""
    specs = {spec.name: spec for spec in TOPIC_CATALOGUE}
    members = (
        Topic.operators.through.objects.filter(
            topic__in=topics, user__is_active=True, user__role__in=STAFF_ROLES
        ).order_by("user_id").values_list("topic_id", "user_id", "user__full_name")
    )
    operators_by_topic, staff_names = {}, {}
    for topic_id, user_id, full_name in members:
        operators_by_topic.setdefault(topic_id, []).append(user_id)
        staff_names[user_id] = full_name
    desks, weights = [], []
    for topic in topics:
        spec = specs.get(topic.name)
        operators = tuple(operators_by_topic[topic.pk])
        hours = spec.resolution_hours if spec else GENERIC_RESOLUTION_HOURS
        desks.append(Desk(topic.pk, spec.text_key if spec else GENERIC_TEXT_KEY, operators, operators, hours * HOUR))
        weights.append(spec.weight if spec else GENERIC_WEIGHT)
    return desks, weights, staff_names


# --- When requests arrive -----------------------------------------------------------------------

def request_schedule(rng, count, now):
    """Sorted creation times over the last two years: busier on weekdays and as the business grows."""
    tz = timezone.get_default_timezone()
    today = datetime.fromtimestamp(now, tz).date()
    days = local_days(tz, today - timedelta(days=DAYS_OF_HISTORY), today)
    weights = [
        day_weight(day, start, now) * (0.6 + 0.4 * n / len(days)) * (0.8 + 0.4 * rng.random())
        for n, (day, start) in enumerate(days)
    ]
    return creation_times(rng, [start for _, start in days], split_total(count, weights), now)


def batches(iterable, size):
    """Lists of up to `size` consecutive items."""
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


# --- Rows ----------------------------------------------------------------------------------------

class RowBuilder:
    """Turns creation times into rows of requests, interventions and events, numbering them as it goes."""

    def __init__(self, cast, rng, simulator, now, to_db_time, survey_rng=None, time_rng=None):
        """Ids start above the current maximum of each table. The surveys and the time spent draw from generators
        of their own, so adding them left the requests of a seed as they were."""
        self.simulator = simulator
        self.now = now
        self.to_db_time = to_db_time
        self.clients = cast.clients
        self.pick_desk = weighted_picker(rng, cast.desks, cast.desk_weights)
        self.random = rng.random
        self.survey_random = (survey_rng or random.Random(0)).random
        self.next_number = next_id(Ticket)
        self.next_intervention_id = next_id(Intervention)
        self.next_event_id = next_id(Event)
        self.schedule = current_schedule()
        self.time_random = (time_rng or random.Random(0)).random
        self.intervention_count = 0
        self.event_count = 0
        self.time_entry_count = 0

    def rows_for(self, times):
        """The rows of one request per creation time: requests, interventions, events and time entries, lists
        ready for the writer."""
        rand, clients, client_count = self.random, self.clients, len(self.clients)
        request_text, live, db_time, now = self.simulator.request_text, self.simulator.live, self.to_db_time, self.now
        number, intervention_id, event_id = self.next_number, self.next_intervention_id, self.next_event_id
        tickets, interventions, events, surveys, time_entries = [], [], [], [], []
        time_draw = self.time_random
        for created in times:
            desk = self.pick_desk()
            # The product of two draws favours the first clients: a few big customers, many small ones.
            requester_id, company_id = clients[int(rand() * rand() * client_count)]
            subject, description = request_text(desk)
            life = live(created, now, requester_id, desk)
            # The first public answer of staff (issue 15): its time, and the business minutes it took.
            first, first_by = next(((at, author_id) for at, author_id, internal, _body in life.interventions
                                    if not internal and author_id != requester_id), (None, None))
            tickets.append((
                number, desk.topic_id, subject, description, requester_id, company_id, life.state, life.assignee_id,
                db_time(created), life.taken_at and db_time(life.taken_at), life.closed_at and db_time(life.closed_at),
                life.closed_by_id, db_time(life.last_activity_at), db_time(life.public_activity_at),
                pick_channel(rand()), pick_share(PRIORITY_SHARES, rand()),
                first and db_time(first), first_by, first and business_minutes(datetime.fromtimestamp(created, UTC),
                                           datetime.fromtimestamp(first, UTC), schedule=self.schedule), 0, 0,
            ))
            if life.closed_by_id is not None and life.closed_by_id != requester_id:
                surveys.append(self.survey_row(number, requester_id, life, desk.topic_id))
            for at, author_id, internal, body in life.interventions:
                interventions.append((intervention_id, number, author_id, body, internal, db_time(at), ""))
                minutes = author_id != requester_id and time_spent_draw(time_draw)
                if minutes:
                    time_entries.append((intervention_id, number, author_id, desk.topic_id, company_id, minutes,
                                         db_time(at)))
                intervention_id += 1
            for at, actor_id, kind, before, after in life.events:
                events.append((event_id, number, actor_id, kind, before, after, db_time(at)))
                event_id += 1
            number += 1
        self.intervention_count += intervention_id - self.next_intervention_id
        self.event_count += event_id - self.next_event_id
        self.time_entry_count += len(time_entries)
        self.next_number, self.next_intervention_id, self.next_event_id = number, intervention_id, event_id
        return tickets, interventions, events, surveys, time_entries

    def survey_row(self, number, requester_id, life, topic_id):
        """The survey of a request closed by staff: asked at its closing, answered by about a third."""
        rand, db_time = self.survey_random, self.to_db_time
        answered = rand() < SURVEY_ANSWER_RATE
        score = answered_at = changed_at = None
        comment = ""
        if answered:
            score = pick_share(SCORE_SHARES, rand())
            # Most answer within hours of the email; some days later.
            answered_at = min(self.now, life.closed_at + 300 + int(rand() * rand() * 3 * DAY))
            if rand() < SURVEY_COMMENT_RATE:
                pool = SURVEY_COMMENTS[score]
                comment = pool[int(rand() * len(pool))]
            if rand() < 0.03:
                changed_at = min(self.now, answered_at + int(rand() * 2 * DAY))
        return (number, requester_id, life.assignee_id, topic_id, db_time(life.closed_at), score, comment,
                answered_at and db_time(answered_at), changed_at and db_time(changed_at))


# --- Writers -------------------------------------------------------------------------------------

def write_batch(writer, rows):
    """One batch in one transaction: interventions and events first, then the requests (indexed as written),
    then their surveys and the time spent recorded with the staff's messages."""
    tickets, interventions, events, surveys, time_entries = rows
    documents = search_documents(tickets, interventions, writer.public_terms, writer.internal_terms)
    with transaction.atomic():
        writer.write(Intervention, INTERVENTION_FIELDS, interventions)
        writer.write(Event, EVENT_FIELDS, events)
        writer.write_tickets(tickets, documents)
        writer.write(Survey, SURVEY_FIELDS, surveys)
        writer.write(TimeEntry, TIME_ENTRY_FIELDS, time_entries)


def search_documents(tickets, interventions, public_terms, internal_terms):
    """The public and internal search documents of each request of a batch, in the order of `tickets`.

    `public_terms` and `internal_terms` (dicts shared by the batches) keep the terms of each text written in
    that part: the generated texts come from pools, and the terms make PostgreSQL's vocabulary at the end.
    """
    public, internal = defaultdict(list), defaultdict(list)
    for _, number, _, body, is_internal, *_ in interventions:
        (internal if is_internal else public)[number].append(body)
    document = search.document
    return [
        (number, document(subject, description, *public[number], cache=public_terms),
         document(*internal[number], cache=internal_terms))
        for number, _, subject, description, *_ in tickets
    ]


class BatchWriters:
    """Writes batches on `count` connections at once while the next batches are built.

    On PostgreSQL the database's work (writing, indexing, computing the search vectors) is most of the time
    and each connection uses one core. The ids are explicit, so batches may commit in any order. Inside an
    outer transaction (the tests) or on SQLite (one writer at a time) the batches are written in place.
    """

    def __init__(self, writer, count):
        self.writer = writer
        parallel = count > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
        self.pool = ThreadPoolExecutor(max_workers=count) if parallel else None
        self.pending = deque()
        self.limit = count

    def __enter__(self):
        return self

    def submit(self, rows, done):
        if self.pool is None:
            write_batch(self.writer, rows)
            done()
            return
        while len(self.pending) >= self.limit:
            self._wait_oldest()
        self.pending.append((self.pool.submit(self._write_and_close, rows), done))

    def _write_and_close(self, rows):
        try:
            write_batch(self.writer, rows)
        finally:
            connection.close()  # this thread's own connection

    def _wait_oldest(self):
        future, done = self.pending.popleft()
        future.result()  # a failed batch stops the run with its error
        done()

    def __exit__(self, *exc):
        try:
            while self.pending:
                self._wait_oldest()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
        return False


def pick_share(shares, draw):
    """The value whose share of [0, 1) holds `draw`, for ((value, share), …) adding up to 1."""
    for value, share in shares:
        if draw < share:
            return value
        draw -= share
    return shares[0][0]


def pick_channel(draw):
    """A channel for a draw in [0, 1), by CHANNEL_SHARES."""
    return pick_share(CHANNEL_SHARES, draw)


def columns_of(model, field_names):
    """The quoted column names of `field_names`, comma separated."""
    return ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in field_names)


class PostgresCopyWriter:
    """COPY ... FROM STDIN through psycopg 3: one round trip per table and batch."""

    def __init__(self):
        self.public_terms, self.internal_terms = {}, {}  # text → its search terms (see search_documents)

    @staticmethod
    def to_db_time(epoch_seconds):
        """An aware datetime; psycopg's C dumper formats it."""
        return datetime.fromtimestamp(epoch_seconds, UTC)

    def write(self, model, field_names, rows, columns=None):
        """Stream `rows` into the model's table (into `columns`, when more than the fields')."""
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"COPY {table} ({columns or columns_of(model, field_names)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def write_tickets(self, rows, documents):
        """Requests with their search vectors (documents: tickets.search.document strings, tsvector literals)."""
        with_vectors = (row + (public, internal) for row, (_, public, internal) in zip(rows, documents, strict=True))
        self.write(Ticket, TICKET_FIELDS, with_vectors,
                   columns=f"{columns_of(Ticket, TICKET_FIELDS)}, search_public, search_internal")


SQLITE_EPOCH = datetime(1970, 1, 1)


class SqliteWriter:
    """executemany of one INSERT per table and batch, inside the batch's transaction."""

    def __init__(self):
        self.public_terms, self.internal_terms = {}, {}  # text → its search terms (see search_documents)

    @staticmethod
    def to_db_time(epoch_seconds):
        """The text Django itself stores on SQLite: naive UTC, `YYYY-MM-DD HH:MM:SS`."""
        return str(SQLITE_EPOCH + timedelta(seconds=epoch_seconds))

    def write(self, model, field_names, rows):
        """Insert `rows` into the model's table."""
        table, placeholders = connection.ops.quote_name(model._meta.db_table), ", ".join(["%s"] * len(field_names))
        # Only names from the models go into the SQL; every value is a parameter.
        sql = f"INSERT INTO {table} ({columns_of(model, field_names)}) VALUES ({placeholders})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def write_tickets(self, rows, documents):
        """Requests, then their search documents into the FTS5 tables."""
        self.write(Ticket, TICKET_FIELDS, rows)
        search.add_to_fts(documents)


def writer_for_database():
    """The fastest writer this database supports."""
    if connection.vendor == "postgresql":
        return PostgresCopyWriter()
    if connection.vendor == "sqlite":
        return SqliteWriter()
    raise CommandError(f"generate_tickets funciona con PostgreSQL o SQLite, no con {connection.vendor}.")


def analyze():
    """Fresh statistics, so the first queries on the new data are planned for its real size."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def reset_sequences():
    """Move PostgreSQL's sequences past the explicit ids (SQLite's AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Company, User, Ticket, Intervention, Event])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
