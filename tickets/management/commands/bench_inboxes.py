"""`manage.py bench_inboxes`: how fast the trays answer on the data at hand (see `generate_tickets`).

As a client, an operator and an administrator (the busiest of each), it requests every tray, the common
filters, three searches (a common word, a rare word, a word no request has), a deep page and a
request's page through Django's test client — middleware, queries and templates included, no network —
and prints the median and 95th percentile times, the CPU time this process spent per request (Python building the
page, the database's own work left out: what decides how many pages a core serves) and the number of queries of
each case.

The operator and the administrator measured first get `--seen` requests of their landing tray marked as opened
(tickets.models.Seen), one in five with news, so the lists carry the new-activity markers and the tabs count them.
"""

import os
import platform
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from tickets import moves, news, pagination, selectors
from tickets.filters import ORDERINGS
from tickets.models import AssigneeStateCount, Seen, Ticket

# p95 targets (issue 7): PostgreSQL with 1,000,000 requests; SQLite with 100,000 gets twice as long.
TARGETS_MS = {"list": 50, "search": 150, "page": 40}
SQLITE_FACTOR = 2


@dataclass
class Case:
    role: str
    name: str
    url: str
    kind: str = "list"  # list, search or page: which target applies
    expect: int = 200


class Command(BaseCommand):
    help = ("Mide las bandejas (cada bandeja, filtros comunes, tres búsquedas, una página profunda y la página de "
            "una solicitud) como cliente, operador y administrador, e imprime p50/p95, el tiempo de CPU por pedido "
            "y la cantidad de consultas.")

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="mediciones por caso (más 3 de calentamiento)")
        parser.add_argument("--common", default="factura", help="palabra frecuente para buscar")
        parser.add_argument("--rare", default="Malena", help="palabra poco frecuente para buscar")
        parser.add_argument("--missing", default="helicóptero", help="palabra que ninguna solicitud tiene")
        parser.add_argument("--only", default="", help="solo los casos cuyo nombre contenga este texto")
        parser.add_argument("--seen", type=int, default=2000,
                            help="solicitudes vistas por el operador y el administrador (una de cada cinco con "
                                 "novedades)")

    def handle(self, repeat, common, rare, missing, only, seen, **options):
        if not Ticket.objects.exists():
            raise CommandError("No hay solicitudes: generalas primero con `manage.py generate_tickets N`.")
        people = self.people()
        for role in ("operador", "administrador"):
            marked = mark_seen(people[role][0], seen)
            self.stdout.write(f"{role}: {marked[0]:,} solicitudes vistas, {marked[1]:,} con novedades.")
        cases = [case for case in build_cases(people, (common, rare, missing)) if only in case.name]
        self.stdout.write(self.header())
        self.stdout.write(f"{'rol':<14}{'caso':<34}{'p50 ms':>8}{'p95 ms':>8}{'meta':>6}{'CPU ms':>8}{'consultas':>11}")
        misses = 0
        factor = SQLITE_FACTOR if connection.vendor == "sqlite" else 1
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for case in cases:
                client = people[case.role][1]
                p50, p95, cpu, queries = measure(client, case, repeat)
                target = TARGETS_MS[case.kind] * factor
                flag = "" if p95 <= target else "  ✗"
                misses += bool(flag)
                self.stdout.write(f"{case.role:<14}{case.name:<34}{p50:>8.1f}{p95:>8.1f}{target:>6}{cpu:>8.1f}{queries:>11}{flag}")
        self.stdout.write(f"{len(cases)} casos, {repeat} mediciones cada uno; {misses} por encima de la meta (✗).")

    def header(self):
        vendor = connection.vendor
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()" if vendor == "postgresql" else "SELECT sqlite_version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        total = Ticket.objects.order_by().count()
        return (f"{total:,} solicitudes · {vendor} {version} · {os.cpu_count()} núcleos · "
                f"Python {platform.python_version()} · DEBUG={settings.DEBUG}")

    def people(self):
        """The busiest client and operator, and an administrator; each with a logged-in test client."""
        busiest = (Ticket.objects.filter(requester__role=Role.CLIENT).values("requester")
                   .annotate(n=Count("pk")).order_by("-n").first())
        client = User.objects.get(pk=busiest["requester"])
        row = (AssigneeStateCount.objects.filter(assignee__role=Role.OPERATOR, assignee__is_active=True)
               .values("assignee").annotate(n=Count("pk")).order_by("-n").first())
        if row is None:
            raise CommandError("No hay operadores con solicitudes asignadas.")
        operator = User.objects.get(pk=row["assignee"])
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if admin is None:
            admin = User.objects.create_user(email="bench-admin@bench.example", password=None, role=Role.ADMIN,
                                             full_name="Administrador de la medición")
            self.stdout.write(f"Se creó el administrador {admin.email} para medir.")
        people = {}
        for role, user in (("cliente", client), ("operador", operator), ("administrador", admin)):
            browser = Client()
            browser.force_login(user)
            people[role] = (user, browser)
        return people


def mark_seen(user, count):
    """`user` opened the `count` latest requests of their landing tray; one in five changed since (each kind of
    news in turn). Rows already there are left as they are. Returns (rows of the user, rows with news)."""
    main = selectors.landing_tray(user, selectors.trays_for(user)).key
    latest = selectors.tray_tickets(user, main).order_by("-last_activity_at", "-number").values_list(
        "number", "state")[:count]
    now = timezone.now()
    rows = []
    for index, (number, state) in enumerate(latest):
        flags = dict.fromkeys(Seen.FLAGS, False)
        if index % 5 == 0:
            flags[Seen.FLAGS[(index // 5) % len(Seen.FLAGS)]] = True
        rows.append(Seen(user=user, ticket_id=number, seen_at=now, ticket_open=state in moves.OPEN_STATES, **flags))
    Seen.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    mine = Seen.objects.filter(user=user)
    return mine.count(), mine.filter(news.ANY).count()


def build_cases(people, words):
    common, rare, missing = words
    cases = []
    for role, (user, _client) in people.items():
        trays = selectors.trays_for(user)
        for tray in trays:
            cases.append(Case(role, f"bandeja {tray.key}", _url(bandeja=tray.key)))
        main = selectors.landing_tray(user, trays).key
        cases += filter_cases(role, user, main)
        for label, word in (("frecuente", common), ("rara", rare), ("sin resultados", missing)):
            cases.append(Case(role, f"buscar {label} «{word}»", _url(bandeja=main, q=word), kind="search"))
        cases.append(Case(role, "página profunda", deep_page_url(user, main)))
        ticket = selectors.tray_tickets(user, main).order_by("-last_activity_at", "-number").first()
        if ticket is not None:
            cases.append(Case(role, "página de una solicitud", reverse("tickets:detail", args=[ticket.number]),
                              kind="page"))
    return cases


def filter_cases(role, user, tray):
    today = timezone.localdate()
    month_ago = (today - timedelta(days=30)).strftime("%d/%m/%Y")
    cases = [
        Case(role, "filtro estado=nuevo", _url(bandeja=tray, estado="nuevo")),
        Case(role, "filtro estado=abiertas", _url(bandeja=tray, estado="abiertas")),
        Case(role, "filtro estado=cerrado", _url(bandeja=tray, estado="cerrado")),
        Case(role, "filtro estado=todos", _url(bandeja=tray, estado="todos")),
        Case(role, "filtro creada últimos 30 días", _url(bandeja=tray, creada_desde=month_ago)),
        Case(role, "filtro cerrada últimos 30 días", _url(bandeja=tray, cerrada_desde=month_ago)),
        Case(role, "filtro con adjuntos", _url(bandeja=tray, adjuntos="on")),
        Case(role, "orden número ascendente", _url(bandeja=tray, orden="numero")),
        Case(role, "orden estado", _url(bandeja=tray, orden="estado")),
        Case(role, "orden prioridad", _url(bandeja=tray, orden="prioridad")),
        Case(role, "filtro prioridad=urgente", _url(bandeja=tray, prioridad=4)),
        Case(role, "filtro canal=presencial", _url(bandeja=tray, canal="in_person")),
    ]
    topic = selectors.tray_tickets(user, tray).values_list("topic", flat=True).first()
    if topic:
        cases.append(Case(role, "filtro temática", _url(bandeja=tray, tematica=topic)))
    if user.is_operator:
        company = (Ticket.objects.filter(company__isnull=False).values("company__cuit")
                   .order_by("-last_activity_at").first())
        cases.append(Case(role, "filtro sin asignar", _url(bandeja=tray, asignada="nadie")))
        if any(each.key == "sin_asignar" for each in selectors.trays_for(user)):
            cases.append(Case(role, "sin asignar, urgentes primero", _url(bandeja="sin_asignar", orden="prioridad")))
        cases.append(Case(role, "todos los estados, urgentes primero",
                          _url(bandeja=tray, estado="todos", orden="prioridad")))
        if company:
            cuit = company["company__cuit"].replace("-", "")
            cases.append(Case(role, "filtro CUIT sin guiones", _url(bandeja=tray, empresa=cuit)))
    return cases


def deep_page_url(user, tray):
    """The last page of the tray: its cursor is the 26th row counted from the end."""
    ordering = ORDERINGS["-actividad"]
    reverse_order = [key.lstrip("-") for key in ordering]
    rows = list(selectors.tray_tickets(user, tray).order_by(*reverse_order)[:pagination.PER_PAGE + 1])
    if len(rows) <= pagination.PER_PAGE:
        return _url(bandeja=tray)
    cursor = pagination.encode(rows[-1], [key.lstrip("-") for key in ordering])
    return _url(bandeja=tray, despues=cursor, pagina=999)


def _url(**query):
    return f"{reverse('tickets:inbox')}?{urlencode(query)}"


def measure(client, case, repeat):
    """(p50 ms, p95 ms, CPU ms per request, queries): three warm-up requests, then `repeat` timed ones; queries
    counted apart."""
    for _ in range(3):
        _get(client, case)
    timings = []
    cpu_started = time.process_time()
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        _get(client, case)
        timings.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_started) * 1000 / max(repeat, 1)
    with CaptureQueriesContext(connection) as queries:
        _get(client, case)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, cpu, len(queries)


def _get(client, case):
    response = client.get(case.url)
    if response.status_code != case.expect:
        raise CommandError(f"{case.role} · {case.name}: {case.url} respondió {response.status_code}.")
    return response
