"""`manage.py bench_http`: the pages over HTTP, as a browser gets them, next to Django's own floor.

It starts gunicorn (sync workers, `DEBUG` off, `BENCH_HTTP=1`: see sysmo/bench.py) on a free loopback port,
logs in through the real login form as the busiest client, the busiest operator and an administrator (the
generated users' password, `tickets.demo_data.DEMO_PASSWORD`), warms each page up, then requests it
`--repeat` times one after another and prints, per page: the median and 95th percentile wall time, the
queries it made (the `X-Bench-Queries` header) and the workers' CPU time per request (user + system, from
/proc/<pid>/stat of the worker processes, before and after the page's run; the clock tick is 10 ms, so
divided over 30 requests it is good to ~0.3 ms). The first row is a bare Django view through the same
middleware: the floor.

Then a bounded concurrency run: `--concurrency` operators (distinct ones when there are enough), each on
its own logged-in session, request for `--duration` seconds a mix of their tray, a common search, a rare
one, searches whose words never meet and request pages; it prints pages per second, errors and p50/p95.

Writes nothing but sessions, except when no administrator can log in with the generated password: then it
creates `bench-admin@bench.example` (verified) to measure with.
"""

import http.cookiejar
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from sysmo.bench import QUERIES_HEADER
from tickets import selectors
from tickets.demo_data import DEMO_PASSWORD
from tickets.models import AssigneeStateCount, Intervention, Ticket

FLOOR_URL = "/__bench__/floor/"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Words each common in the generated texts (tickets/demo_data.py) that never share a request: the planner
# expects many matches together. And a common word with a topic or a state where it does not occur.
NEVER_TOGETHER = ("vpn impresora", "impresora factura vpn")


@dataclass
class Case:
    role: str
    name: str
    url: str
    kind: str = "list"


@dataclass
class Result:
    p50: float
    p95: float
    queries: str
    cpu_ms: float


class Command(BaseCommand):
    help = ("Mide las páginas por HTTP con gunicorn (DEBUG apagado, sesión iniciada por el formulario de ingreso) "
            "junto a una vista vacía de Django, y una corrida con operadores concurrentes.")

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="mediciones por página (tras el calentamiento)")
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--workers", type=int, default=2, help="procesos de gunicorn (sync)")
        parser.add_argument("--concurrency", type=int, default=20, help="operadores a la vez (0: sin esa corrida)")
        parser.add_argument("--duration", type=float, default=20.0, help="segundos de la corrida concurrente")
        parser.add_argument("--only", default="", help="solo los casos cuyo nombre contenga este texto")
        parser.add_argument("--skip", default="", help="sin los casos cuyo nombre contenga este texto")
        parser.add_argument("--common", default="factura")
        parser.add_argument("--rare", default="Malena")
        parser.add_argument("--missing", default="helicóptero")

    def handle(self, **options):
        if not Ticket.objects.exists():
            raise CommandError("No hay solicitudes: generalas primero con `manage.py generate_tickets N`.")
        people = self.people()
        cases = [case for case in build_cases(people, options) if options["only"] in case.name
                 and not (options["skip"] and options["skip"] in case.name)]
        port = free_port()
        with Server(port, options["workers"]) as server:
            base = f"http://127.0.0.1:{port}"
            self.stdout.write(self.header(options))
            browsers = {role: login(base, user.email) for role, user in people.items()}
            browsers["anónimo"] = Browser(base)
            self.stdout.write(f"{'rol':<14}{'página':<46}{'p50 ms':>8}{'p95 ms':>8}{'CPU ms':>8}{'consultas':>10}")
            for case in [Case("anónimo", "piso: vista vacía de Django", FLOOR_URL), *cases]:
                result = measure(browsers[case.role], case, server, options["repeat"], options["warmup"])
                self.stdout.write(f"{case.role:<14}{case.name[:45]:<46}{result.p50:>8.1f}{result.p95:>8.1f}"
                                  f"{result.cpu_ms:>8.1f}{result.queries:>10}")
            if options["concurrency"]:
                self.concurrent(base, server, people, options)

    def header(self, options):
        with connection.cursor() as cursor:
            vendor = connection.vendor
            cursor.execute("SELECT version()" if vendor == "postgresql" else "SELECT sqlite_version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        total = Ticket.objects.order_by().count()
        return (f"{total:,} solicitudes · {vendor} {version} · gunicorn {options['workers']} workers sync · "
                f"{os.cpu_count()} núcleos, carga {os.getloadavg()[0]:.1f} · Python {platform.python_version()} · "
                f"DEBUG=False · {options['repeat']} mediciones por página")

    def people(self):
        busiest = (Ticket.objects.filter(requester__role=Role.CLIENT).values("requester")
                   .annotate(n=Count("pk")).order_by("-n").first())
        operator = busiest_operators(1)
        if busiest is None or not operator:
            raise CommandError("Hacen falta solicitudes de clientes y operadores con solicitudes asignadas.")
        return {"cliente": User.objects.get(pk=busiest["requester"]), "operador": operator[0],
                "administrador": self.administrator()}

    def administrator(self):
        for admin in User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")[:20]:
            if admin.check_password(DEMO_PASSWORD):
                return admin
        from allauth.account.models import EmailAddress

        admin, _ = User.objects.get_or_create(email="bench-admin@bench.example", defaults={
            "role": Role.ADMIN, "full_name": "Administrador de la medición"})
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        EmailAddress.objects.update_or_create(user=admin, email=admin.email,
                                              defaults={"verified": True, "primary": True})
        self.stdout.write(f"Se usa el administrador {admin.email} para medir.")
        return admin

    def concurrent(self, base, server, people, options):
        operators = busiest_operators(options["concurrency"])
        urls = concurrency_urls(operators, options)
        sessions = [login(base, operator.email) for operator in operators]
        sessions = [sessions[n % len(sessions)] for n in range(options["concurrency"])]
        timings, errors, lock = [], [], threading.Lock()
        deadline = time.perf_counter() + options["duration"]
        cpu_before = server.cpu_seconds()

        def run(worker, browser):
            own = urls[worker % len(urls)]
            step = worker
            while time.perf_counter() < deadline:
                url = own[step % len(own)]
                step += 1
                started = time.perf_counter()
                try:
                    status, _headers, _body = browser.get(url)
                except (OSError, urllib.error.URLError) as error:
                    status = repr(error)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings.append(elapsed)
                    if status != 200:
                        errors.append((url, status))

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(n, browser)) for n, browser in enumerate(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
        timings.sort()
        self.stdout.write(
            f"Concurrencia: {options['concurrency']} operadores ({len({s.email for s in sessions})} distintos), "
            f"{wall:.1f} s: {len(timings)} páginas, {len(timings) / wall:.1f} páginas/s, {len(errors)} errores, "
            f"p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
            f"CPU de los workers {1000 * cpu / max(len(timings), 1):.1f} ms por página.")
        for url, status in errors[:5]:
            self.stdout.write(f"  error {status}: {url}")


def busiest_operators(count):
    rows = (AssigneeStateCount.objects.filter(assignee__role=Role.OPERATOR, assignee__is_active=True)
            .values("assignee").annotate(n=Count("pk")).order_by("-n", "assignee")[:count])
    found = User.objects.in_bulk([row["assignee"] for row in rows])
    return [found[row["assignee"]] for row in rows]


def build_cases(people, options):
    """The issue's table: trays, a filtered tray, searches of every kind, a request's page and the reports."""
    operator, client = people["operador"], people["cliente"]
    cases = []
    for role, user in people.items():
        trays = selectors.trays_for(user)
        main = selectors.landing_tray(user, trays).key
        cases.append(Case(role, f"bandeja {main}, primera página", inbox(bandeja=main)))
    topic = selectors.tray_tickets(operator, "tematicas").values_list("topic", flat=True).first()
    topic = topic or Ticket.objects.values_list("topic", flat=True).first()
    cases.append(Case("operador", "bandeja tematicas, temática y estado", inbox(
        bandeja="tematicas", tematica=topic, estado="abiertas")))
    cases.append(Case("administrador", "bandeja todas, temática y estado", inbox(
        bandeja="todas", tematica=topic, estado="en_proceso")))
    for label, word in (("frecuente", options["common"]), ("rara", options["rare"]),
                        ("sin resultados", options["missing"])):
        cases.append(Case("operador", f"buscar {label} «{word}»", inbox(bandeja="tematicas", q=word), "search"))
    for words in NEVER_TOGETHER:
        cases.append(Case("administrador", f"buscar nunca juntas «{words}»", inbox(bandeja="todas", q=words),
                          "search"))
    cases += [
        Case("operador", "buscar «vpn» en sus temáticas", inbox(bandeja="tematicas", q="vpn"), "search"),
        Case("administrador", "buscar «impresora», otra temática", inbox(
            bandeja="todas", tematica=topic, q="impresora"), "search"),
        Case("administrador", "buscar «factura», cerradas, 30 días", inbox(
            bandeja="todas", estado="cerrado", q="factura",
            creada_desde=(timezone.localdate() - timedelta(days=30)).strftime("%d/%m/%Y")), "search"),
        Case("cliente", f"buscar «{options['common']}» en las suyas", inbox(bandeja="realizadas",
                                                                            q=options["common"]), "search"),
    ]
    for role, user in (("operador", operator), ("cliente", client)):
        number = longest_history(selectors.tray_tickets(user, "asignadas" if user.is_operator else "realizadas"))
        if number:
            cases.append(Case(role, "página de una solicitud", reverse("tickets:detail", args=[number]), "page"))
    today = timezone.localdate()
    year = today - timedelta(days=364)
    cases.append(Case("administrador", "informes, 365 días con comparación", reverse("reports:page") + "?" + (
        urllib.parse.urlencode({
            "desde": year.strftime("%d/%m/%Y"), "hasta": today.strftime("%d/%m/%Y"),
            "comparar_desde": (year - timedelta(days=365)).strftime("%d/%m/%Y"),
            "comparar_hasta": (year - timedelta(days=1)).strftime("%d/%m/%Y")})), "report"))
    return cases


def concurrency_urls(operators, options):
    """Per operator, the pages it cycles through: its tray, searches common, rare and never together, a page."""
    mixes = []
    for operator in operators:
        mine = [inbox(bandeja="tematicas"), inbox(bandeja="tematicas", q=options["common"]),
                inbox(bandeja="tematicas", q="vpn"), inbox(bandeja="tematicas", q=options["rare"]),
                inbox(bandeja="tematicas", q=NEVER_TOGETHER[0]), inbox(bandeja="asignadas")]
        number = selectors.tray_tickets(operator, "asignadas").order_by("-last_activity_at").values_list(
            "number", flat=True).first()
        if number:
            mine.append(reverse("tickets:detail", args=[number]))
        mixes.append(mine)
    return mixes


def longest_history(tickets):
    """Among a tray's 200 latest requests, the one with the most messages."""
    recent = tickets.order_by("-last_activity_at").values("pk")[:200]
    row = (Intervention.objects.filter(ticket__in=recent).values("ticket").annotate(n=Count("pk"))
           .order_by("-n", "ticket").first())
    return row and row["ticket"]


def inbox(**query):
    return f"{reverse('tickets:inbox')}?{urllib.parse.urlencode(query)}"


def percentile(ordered, fraction):
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- The server ------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn on a loopback port, in its own process group, stopped on leaving."""

    def __init__(self, port, workers):
        self.port, self.workers = port, workers
        self.env = {**os.environ, "DEBUG": "0", "BENCH_HTTP": "1", "ALLOWED_HOSTS": "127.0.0.1",
                    "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-http-only-not-a-secret",
                    "DATABASE_URL": os.environ.get("DATABASE_URL", "")}
        if not self.env["DATABASE_URL"]:
            del self.env["DATABASE_URL"]

    def __enter__(self):
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=self.env,
                       cwd=settings.BASE_DIR, check=True)
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "gunicorn", "sysmo.wsgi:application", "--workers", str(self.workers),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--timeout", "120"],
            env=self.env, cwd=settings.BASE_DIR)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise CommandError("gunicorn no arrancó.")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{FLOOR_URL}", timeout=5):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.3)
        while len(self.worker_pids()) < self.workers and time.time() < deadline:
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def worker_pids(self):
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def cpu_seconds(self):
        """User + system CPU time of the workers so far, in seconds."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / CLOCK_TICKS


# --- A browser ---------------------------------------------------------------------------------------

class Browser:
    """Cookies and GETs; no redirects followed (a page that redirects is a failed measurement)."""

    def __init__(self, base, email=""):
        self.base, self.email = base, email
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def get(self, path):
        return self.send(urllib.request.Request(self.base + path))  # noqa: S310 (http://127.0.0.1 only)

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        return self.send(urllib.request.Request(self.base + path, data=body, headers={  # noqa: S310
            "Referer": self.base + path, "Content-Type": "application/x-www-form-urlencoded"}))

    def send(self, request):
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base, email):
    """A browser logged in through the login form, as a person would."""
    browser = Browser(base, email)
    path = reverse("account_login")
    status, _headers, body = browser.get(path)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not token:
        raise CommandError(f"No se pudo abrir el formulario de ingreso ({status}).")
    status, headers, _body = browser.post(path, {"csrfmiddlewaretoken": token.group(1).decode(), "login": email,
                                                 "password": DEMO_PASSWORD})
    if status != 302 or reverse("account_login") in headers.get("Location", ""):
        raise CommandError(f"No se pudo ingresar como {email} ({status}).")
    return browser


def measure(browser, case, server, repeat, warmup):
    for _ in range(warmup):
        check(browser.get(case.url), case)
    timings, queries = [], set()
    cpu_before = server.cpu_seconds()
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        _status, headers, _body = check(browser.get(case.url), case)
        timings.append((time.perf_counter() - started) * 1000)
        queries.add(int(headers.get(QUERIES_HEADER, -1)))
    cpu = server.cpu_seconds() - cpu_before
    timings.sort()
    shown = str(min(queries)) if len(queries) == 1 else f"{min(queries)}–{max(queries)}"
    return Result(statistics.median(timings), percentile(timings, 0.95), shown, 1000 * cpu / len(timings))


def check(answer, case):
    if answer[0] != 200:
        raise CommandError(f"{case.role} · {case.name}: {case.url} respondió {answer[0]}.")
    return answer
