"""The load-and-fault run, one command: `.venv/bin/python loadtest/run.py` (as root or the postgres user; see
loadtest/README.md).

Starts everything of its own on free loopback ports under a temporary folder, never the machine's services:
PostgreSQL (initdb, run as the `postgres` user), Redis, an SMTP server (aiosmtpd, counting Message-IDs),
moto's S3 server (attachments in a bucket), two gunicorn app servers behind nginx (deploy/nginx.conf, HTTPS),
a Celery worker with beat. Loads --tickets requests (generate_tickets), then runs --users simulated people,
each with an account of their own and their own loopback address, for --minutes: clients filing requests with
a PDF, answering theirs with files and closing some; operators taking, answering, commenting internally and
closing; an administrator reading the reports and downloading exports; and take races (three operators of a
topic taking the same new request at the same instant). Meanwhile it stops Redis for 30 s, stops SMTP for 60 s,
SIGKILLs the worker once and restarts PostgreSQL once. It prints requests, errors by kind and by window
(inside/outside a fault), p50/p95 per page against the inbox targets, emails expected vs received (lost,
duplicated), requests created vs filed (duplicates), and each take race's winners.
"""

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests
import urllib3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conftest import RedisServer, S3Server, _answers, _free_port  # noqa: E402
from mail.tests.smtp import SMTPServer  # noqa: E402
from sysmo.tests.test_reverse_proxy import main_config, site_config  # noqa: E402

urllib3.disable_warnings()
PASSWORD = "demo-sysmo-2026"  # noqa: S105 (tickets.demo_data.DEMO_PASSWORD: every generated and demo user's)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% carga\ntrailer<<>>\n%%EOF\n"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
FORM = re.compile(r'<form([^>]*)>(.*?)</form>', re.S)
ACTION = re.compile(r'action="([^"]*)"')
TICKET_LINK = re.compile(r'href="/solicitudes/(\d+)/"')
TOPIC_OPTION = re.compile(r'<option value="(\d+)"')
CREATED = re.compile(r"/solicitudes/(\d+)/")
TOOK = "Tomaste la solicitud"
ALERT = re.compile(r'role="alert">\s*(.*?)\s*<button', re.S)
# The inbox issue's targets (README, "Inboxes"), p95 in ms: trays and filters 50, a request's page 40.
TARGETS = {"tray": 50, "request page": 40}

# Who takes part: found in the loaded data by one script (accounts of their own, active and verified).
PEOPLE_SCRIPT = """
import json, django
django.setup()
from django.db.models import Count
from accounts.models import AccountState, Role, User
from topics.models import Topic
active = User.objects.in_state(AccountState.ACTIVE)
clients = list(active.filter(role=Role.CLIENT).annotate(n=Count("requested_tickets")).filter(n__gt=0)
               .order_by("-n").values_list("email", flat=True)[:{clients}])
topics = []
for topic in Topic.objects.filter(is_active=True).order_by("pk"):
    operators = list(active.filter(role=Role.OPERATOR, topics=topic).order_by("pk").values_list("email", flat=True))
    if len(operators) >= 2:
        topics.append({{"id": topic.pk, "operators": operators}})
admin = active.filter(role=Role.ADMIN).order_by("pk").values_list("email", flat=True).first()
print(json.dumps({{"clients": clients, "topics": topics, "admin": admin}}))
"""

# At the end, from the database: duplicate filings, what each race's request went through.
CHECK_SCRIPT = """
import json, sys, django
django.setup()
from django.db.models import Count
from tickets.models import Event, EventKind, Ticket
subjects = json.loads(sys.stdin.read())
found = Ticket.objects.filter(subject__in=subjects["filed"]).values("subject").annotate(n=Count("pk"))
takers = {}
for number, email in (Event.objects.filter(ticket__number__in=subjects["races"], kind=EventKind.TAKEN)
                      .values_list("ticket__number", "actor__email")):
    takers.setdefault(str(number), []).append(email)
print(json.dumps({"created": {row["subject"]: row["n"] for row in found}, "takers": takers}))
"""

OUTBOX_SCRIPT = """
import json, django
django.setup()
from mail.models import OutboxMessage as O
print(json.dumps({s: list(O.objects.filter(status=s).values_list("message_id", flat=True))
                  for s in ("pending", "sent", "failed")}))
"""


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_script(script, env, stdin=None):
    """A Django script in a process of its own against the run's database; its JSON output."""
    import json

    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,  # noqa: S603
                          capture_output=True, text=True, input=stdin)
    return json.loads(done.stdout)


class SourceAddressAdapter(requests.adapters.HTTPAdapter):
    """Connections from one loopback address (127.0.0.N): each simulated person is one client address to
    nginx and to the login limits, as real people are."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Postgres:
    """A PostgreSQL cluster of the run's own (initdb as the postgres user) on a free port."""

    def __init__(self, folder):
        self.folder, self.port = folder / "pg", _free_port()
        self.bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/sysmo"

    def _as_postgres(self, *command):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)  # noqa: S603

    def start(self, first=True):
        if first:
            self.folder.mkdir()
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres", "postgres")
            self._as_postgres(str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres",
                              "--auth=trust", "-E", "UTF8")
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
                          "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "-w",
                          "start")
        if first:
            self._as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                              "sysmo")
        return self

    def stop(self):
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")


class Stats:
    def __init__(self, faults):
        self.lock = threading.Lock()
        self.times = defaultdict(list)  # page: [seconds] outside fault windows
        self.errors = Counter()  # (kind, window)
        self.requests = Counter()  # window
        self.faults = faults  # [(name, start, end)]
        self.filed = {}  # subject: "created" (answered with the new request), "unanswered" or "refused"
        self.races = []  # (number, window, winners seen in the answers, racers that got an answer)

    def window(self, started, finished=None):
        """The fault a request overlapped (from its start to its end, a fault counting until 10 s after it
        ended), or "outside faults". A request already under way when a fault began overlaps it."""
        finished = started if finished is None else finished
        for name, start, end in self.faults:
            if started <= end + 10 and finished >= start:
                return f"during {name}"
        return "outside faults"

    def record(self, page, started, response=None, error=None, ok=(200, 302)):
        at = time.monotonic()
        window = self.window(started, at)
        with self.lock:
            self.requests[window] += 1
            if error is not None:
                self.errors[(type(error).__name__, window)] += 1
            elif response.status_code not in ok:
                self.errors[(f"HTTP {response.status_code} on {page}", window)] += 1
            elif window == "outside faults":
                self.times[page].append(at - started)


class Person:
    """One simulated person's browser: own session, own loopback address, logs in through the form."""

    def __init__(self, site, cert, email, address, stats, seed):
        self.site, self.email, self.stats = site, email, stats
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = cert
        self.session.mount("https://", SourceAddressAdapter(address))
        self.random = random.Random(seed)  # noqa: S311 (load mix, not security)

    def call(self, page, method, path, follow=False, **kwargs):
        started = time.monotonic()
        try:
            response = self.session.request(method, self.site + path, timeout=30, allow_redirects=follow,
                                            headers={"Referer": self.site + path}, **kwargs)
        except requests.RequestException as error:
            self.stats.record(page, started, error=error)
            return None
        self.stats.record(page, started, response=response)
        return response

    def page(self, page, path):
        response = self.call(page, "GET", path)
        return response if response is not None and response.status_code == 200 else None

    def form(self, html, action_part, page=None):
        """(action, hidden fields) of the form posting to a URL containing `action_part` (or, with `page`, of
        the page's own form, which has no action), or (None, None)."""
        for attributes, body in FORM.findall(html):
            found = ACTION.search(attributes)
            if found and action_part in found.group(1):
                return found.group(1).split("#")[0], dict(HIDDEN.findall(body))
            if page and not found and 'method="post"' in attributes:
                return page, dict(HIDDEN.findall(body))
        return None, None

    def login(self):
        page = self.page("login page", "/accounts/login/")
        if page is None:
            return False
        data = dict(HIDDEN.findall(page.text))
        data.pop("next", None)  # the page sets it from the Referer: the login page itself here
        data.update(login=self.email, password=PASSWORD)
        response = self.call("login", "POST", "/accounts/login/", data=data)
        return response is not None and response.status_code == 302 and "login" not in response.headers.get(
            "Location", "login")

    def log_in_until(self, stop_at):
        while not self.login():
            if time.monotonic() > stop_at:
                return False
            time.sleep(5)
        return True

    def file_request(self, topic=None, label="file a request"):
        """Files a request with a PDF; its number, or None. Its subject is unique: the end counts duplicates."""
        page = self.page("new request page", "/solicitudes/nueva/")
        if page is None:
            return None
        action, data = self.form(page.text, "/solicitudes/nueva/", page="/solicitudes/nueva/")
        topics = TOPIC_OPTION.findall(page.text)
        if data is None or not topics:
            return None
        subject = f"Carga {secrets.token_hex(6)}"
        data.update(topic=str(topic or self.random.choice(topics)), subject=subject,
                    description="No funciona la impresora de la recepción desde esta mañana.")
        with self.stats.lock:
            self.stats.filed[subject] = "unanswered"
        response = self.call(label, "POST", action, data=data,
                             files={"files": ("factura.pdf", PDF, "application/pdf")})
        if response is None:
            return None
        created = CREATED.search(response.headers.get("Location", "")) if response.status_code == 302 else None
        with self.stats.lock:
            self.stats.filed[subject] = "created" if created else "refused"
        return int(created.group(1)) if created else None

    def open_one(self, tray_path, count=10):
        tray = self.page("tray", tray_path)
        numbers = TICKET_LINK.findall(tray.text) if tray is not None else []
        if not numbers:
            return None, None
        number = self.random.choice(numbers[:count])
        return number, self.page("request page", f"/solicitudes/{number}/")


class Player(threading.Thread):
    """A person with a role, repeating its steps until `stop_at`."""

    def __init__(self, person, role, stop_at, start_delay):
        super().__init__(daemon=True)
        self.person, self.role, self.stop_at, self.start_delay = person, role, stop_at, start_delay

    def run(self):
        time.sleep(self.start_delay)
        if not self.person.log_in_until(self.stop_at):
            return
        while time.monotonic() < self.stop_at:
            getattr(self, self.role)()
            time.sleep(self.person.random.uniform(1, 3))

    def client(self):
        me = self.person
        roll = me.random.random()
        if roll < 0.3:
            me.file_request()
            return
        number, detail = me.open_one("/solicitudes/")
        if detail is None:
            return
        if roll < 0.65:
            action, data = me.form(detail.text, f"/solicitudes/{number}/responder/")
            if action:
                data.update(body="Les adjunto otra captura del error.")
                me.call("answer with a file", "POST", action, data=data,
                        files={"files": ("captura.pdf", PDF, "application/pdf")})
        elif roll < 0.7:
            action, data = me.form(detail.text, f"/solicitudes/{number}/resuelta/")
            if action:
                data.update(message="Ya funciona, gracias.")
                me.call("client closes", "POST", action, data=data)

    def operator(self):
        me = self.person
        tray = "/solicitudes/?bandeja=sin_asignar" if me.random.random() < 0.5 else "/solicitudes/"
        number, detail = me.open_one(tray)
        if detail is None:
            return
        action, data = me.form(detail.text, f"/solicitudes/{number}/tomar/")
        if action:
            me.call("take", "POST", action, data=data)
            detail = me.page("request page", f"/solicitudes/{number}/")
            if detail is None:
                return
        roll = me.random.random()
        if roll < 0.15:
            action, data = me.form(detail.text, f"/solicitudes/{number}/cerrar/")
            if action:
                data.update(message="Quedó resuelto. Cualquier cosa nos escribís.")
                me.call("close", "POST", action, data=data)
                return
        action, data = me.form(detail.text, f"/solicitudes/{number}/responder/")
        if action:
            internal = roll < 0.45
            data.update(body="Lo estamos revisando.", mode="internal" if internal else "public")
            me.call("internal comment" if internal else "answer", "POST", action, data=data)

    def admin(self):
        me = self.person
        me.page("reports", "/informes/")
        slug, extension = me.random.choice([("por-tematica", "csv"), ("recibidas-por-dia", "xlsx"),
                                            ("por-operador", "csv"), ("cerradas-por-dia", "xlsx")])
        me.page("export", f"/informes/exportar/{slug}.{extension}")
        me.page("tray", "/solicitudes/")


class Races(threading.Thread):
    """Take races: a client files a request in a topic, then three operators of that topic, each with a page
    open, press «Tomar» at the same instant. Exactly one of them must be told «Tomaste la solicitud»."""

    def __init__(self, filer, racers_by_topic, stats, stop_at, every):
        super().__init__(daemon=True)
        self.filer, self.racers_by_topic, self.stats = filer, racers_by_topic, stats
        self.stop_at, self.every = stop_at, every

    def run(self):
        people = [self.filer, *(p for racers in self.racers_by_topic.values() for p in racers)]
        if not all(person.log_in_until(self.stop_at) for person in people):
            return
        while time.monotonic() < self.stop_at:
            topic = self.filer.random.choice(list(self.racers_by_topic))
            number = self.filer.file_request(topic=topic, label="file a request (race)")
            if number is not None:
                self.race(number, self.racers_by_topic[topic])
            time.sleep(self.every)

    def race(self, number, racers):
        forms = []
        for racer in racers:
            detail = racer.page("request page", f"/solicitudes/{number}/")
            action, data = racer.form(detail.text, f"/solicitudes/{number}/tomar/") if detail else (None, None)
            if action:
                forms.append((racer, action, data))
        if len(forms) < 2:
            return
        barrier, answers = threading.Barrier(len(forms)), []
        started = time.monotonic()

        def press(racer, action, data):
            barrier.wait()
            answers.append(racer.call("take (race)", "POST", action, follow=True, data=data))

        threads = [threading.Thread(target=press, args=form) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = sum(1 for answer in answers if answer is not None and TOOK in answer.text)
        answered = sum(1 for answer in answers if answer is not None and answer.status_code == 200)
        with self.stats.lock:
            self.stats.races.append((number, self.stats.window(started), winners, answered, len(forms),
                                     [told(answer) for answer in answers], [racer.email for racer, *_ in forms]))


def told(answer):
    """What a racer's answer said, to read a race that went wrong: status, the page it ended on, its alerts."""
    if answer is None:
        return "no answer"
    path = answer.url.split("//", 1)[-1].partition("/")[2]
    alerts = " | ".join(re.sub(r"\s+", " ", alert) for alert in ALERT.findall(answer.text)) or "no alert"
    return f"{answer.status_code} /{path}: {alerts[:160]}"


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))] * 1000


def summary(stats, outbox, received, database):
    print("\n== Summary")
    print(f"requests: {sum(stats.requests.values())} ({dict(stats.requests)})")
    outside = sum(count for (kind, window), count in stats.errors.items() if window == "outside faults")
    print(f"errors outside the fault windows: {outside} (target 0)")
    print("errors by kind and window:" + ("" if stats.errors else " none"))
    for (kind, window), count in sorted(stats.errors.items()):
        print(f"  {count:6d}  {kind}  [{window}]")
    print("p50 / p95 per page (ms, outside fault windows), against the inbox targets (p95):")
    for page, times in sorted(stats.times.items()):
        target = TARGETS.get(page)
        verdict = "" if target is None else (f"  target {target}: " + ("met" if percentile(times, 0.95) <= target
                                                                       else "NOT met"))
        print(f"  {page:24s} {percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f}  (n={len(times)}){verdict}")
    expected = {message_id for ids in outbox.values() for message_id in ids}
    print(f"emails: {len(expected)} in the outbox ({len(outbox['sent'])} sent, {len(outbox['pending'])} pending, "
          f"{len(outbox['failed'])} failed); received at SMTP "
          f"{sum(received.values())}: lost {len(set(outbox['sent']) - set(received))} (target 0), duplicated "
          f"{sum(1 for count in received.values() if count > 1)}, not ours {len(set(received) - expected)}")
    answered = Counter(stats.filed.values())
    in_database = database["created"]
    duplicates = {subject: n for subject, n in in_database.items() if n > 1}
    told_not_created = [s for s, outcome in stats.filed.items() if outcome == "created" and s not in in_database]
    print(f"requests filed: {len(stats.filed)}; answered «created» {answered['created']}, refused "
          f"{answered['refused']}, answer lost {answered['unanswered']}; in the database {len(in_database)}; "
          f"duplicates {len(duplicates)} (target 0); told created but missing {len(told_not_created)} (target 0)")
    verdicts = [(race, race_verdict(race, database["takers"].get(str(race[0]), []))) for race in stats.races]
    right = sum(1 for _race, (fine, _text) in verdicts if fine)
    print(f"take races: {len(stats.races)}; one take and the right answers in {right} (target: every race)")
    for (number, window, winners, answered_count, racers, answers, _emails), (fine, text) in verdicts:
        flag = "" if fine else "   <-- check"
        print(f"  #{number}: {racers} racers, {answered_count} answered, winners told {winners}, {text} "
              f"[{window}]{flag}")
        if not fine:
            for each in answers:
                print(f"      {each}")


def race_verdict(race, takers):
    """(whether the race went right, what happened) from a race and who took its request (the history's takes).
    Right: one take in the history and, when a racer took it, exactly that one told «Tomaste la solicitud»; when
    an operator outside the race took it first (they work the same topics), no racer told they won."""
    _number, _window, winners, _answered, _racers, _answers, racer_emails = race
    if len(takers) != 1:
        return False, f"takes in the history {len(takers)}"
    if takers[0] in racer_emails:
        return winners == 1, "takes in the history 1 (a racer)"
    return winners == 0, "taken by an operator outside the race before it"


def main():
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--race-every", type=float, default=15, help="seconds between take races")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) at the end")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sysmo-load-"))
    os.chmod(folder, 0o755)  # noqa: S103 (the postgres user enters it)
    processes, services = [], []
    log(f"Working in {folder}")
    try:
        postgres = Postgres(folder).start()
        services.append(postgres.stop)
        redis = RedisServer().start()
        services.append(redis.kill)
        smtp = SMTPServer().start()
        services.append(smtp.stop)
        s3 = S3Server().start()
        services.append(s3.stop)
        s3.client().create_bucket(Bucket="sysmo-load")
        app_ports, http_port, https_port = [_free_port(), _free_port()], _free_port(), _free_port()
        site = f"https://127.0.0.1:{https_port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="sysmo.settings", DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1", SITE_URL=site, DATABASE_URL=postgres.url, REDIS_URL=redis.url,
            EMAIL_URL=smtp.url, STATIC_ROOT=str(folder / "static"), TRUST_X_FORWARDED_PROTO="true",
            TRUSTED_CLIENT_IP_HEADER="X-Real-IP", ATTACHMENTS_S3_BUCKET="sysmo-load",
            ATTACHMENTS_S3_ENDPOINT_URL=s3.url, ATTACHMENTS_S3_REGION="us-east-1",
            ATTACHMENTS_S3_ACCESS_KEY_ID="test", ATTACHMENTS_S3_SECRET_ACCESS_KEY="test",  # noqa: S106 (moto's)
            CELERY_QUEUE="sysmo-load", OUTBOX_SWEEP_SECONDS="10", GUNICORN_WORKERS="3",
            # The administrator's second factor is not what this run measures (TOTP codes in 50 threads).
            MFA_REQUIRED_FOR_ADMINISTRATORS="false",
        )
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["seed_demo"],
                        ["generate_tickets", str(options.tickets), "--seed", "1"]):
            log("manage.py " + " ".join(command))
            subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        cast = run_script(PEOPLE_SCRIPT.format(clients=options.users), env)
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S603, S607
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        config = site_config(folder, app_ports[0], http_port, https_port, cert, key)
        config = config.replace(f"server 127.0.0.1:{app_ports[0]} max_fails=3 fail_timeout=10s;",
                                "\n".join(f"server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in app_ports))
        (folder / "site.conf").write_text(config)
        (folder / "nginx.conf").write_text(main_config(folder, connections=4096))

        def start(name, command, extra=None):
            process = subprocess.Popen(command, cwd=ROOT, env={**env, **(extra or {})},  # noqa: S603
                                       stdout=(folder / f"{name}.log").open("a"), stderr=subprocess.STDOUT,
                                       start_new_session=True)
            processes.append(process)
            return process

        bin_dir = Path(sys.executable).parent
        for n, port in enumerate(app_ports):
            start(f"gunicorn{n}", [str(bin_dir / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
                  {"GUNICORN_BIND": f"127.0.0.1:{port}"})
        worker_command = [str(bin_dir / "celery"), "-A", "sysmo", "worker", "-B", "--concurrency=2",
                          "--loglevel=INFO", "-s", str(folder / "beat-schedule")]
        worker = start("worker", worker_command)
        start("nginx", ["/usr/sbin/nginx", "-e", str(folder / "nginx-error.log"), "-p", str(folder),
                        "-c", str(folder / "nginx.conf")])
        deadline = time.monotonic() + 120
        while not all(_answers("127.0.0.1", p) for p in [*app_ports, https_port]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app servers or nginx did not start; logs in {folder}")
            time.sleep(0.5)
        # A port answering is not proof that our server holds it: between _free_port() and gunicorn's bind another
        # program may take it (gunicorn then gives up and exits), and nginx would send it half the traffic.
        time.sleep(2)
        exited = [name for name, process in zip(["gunicorn0", "gunicorn1", "worker", "nginx"], processes[-4:],
                                                strict=True) if process.poll() is not None]
        if exited:
            raise RuntimeError(f"{', '.join(exited)} exited at start (a port taken?); logs in {folder}")

        for port in app_ports:  # each worker's first request loads the code: not part of the measure
            for _ in range(6):
                requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=120, allow_redirects=False)
        duration = options.minutes * 60
        begin = time.monotonic()
        faults = [("Redis stopped", begin + 0.15 * duration, begin + 0.15 * duration + 30),
                  ("SMTP stopped", begin + 0.35 * duration, begin + 0.35 * duration + 60),
                  ("worker killed", begin + 0.6 * duration, begin + 0.6 * duration + 5),
                  ("PostgreSQL restarted", begin + 0.8 * duration, begin + 0.8 * duration + 10)]
        stats = Stats(faults)
        addresses = (f"127.0.{n // 250}.{n % 250 + 2}" for n in range(1, 10_000))
        stop_at = begin + duration

        def person(email):
            return Person(site, str(cert), email, next(addresses), stats, email)

        # Roles: one administrator, a third operators (theirs, spread over the topics), the rest clients; three
        # operators of up to two topics and one more client race to take requests.
        operators = [email for topic in cast["topics"] for email in topic["operators"][3:]] or [
            email for topic in cast["topics"] for email in topic["operators"]]
        racers = {topic["id"]: [person(email) for email in topic["operators"][:3]] for topic in cast["topics"][:2]}
        players = [Player(person(cast["admin"]), "admin", stop_at, 0)]
        for n in range(1, options.users):
            if n % 3 == 1 and operators:
                players.append(Player(person(operators[n % len(operators)]), "operator", stop_at, n * 0.2))
            else:
                players.append(Player(person(cast["clients"][n % len(cast["clients"])]), "client", stop_at, n * 0.2))
        races = Races(person(cast["clients"][-1]), racers, stats, stop_at, options.race_every)
        log(f"{options.users} people and {sum(map(len, racers.values()))} racers for {options.minutes} min "
            f"against {site}")
        for player in [*players, races]:
            player.start()

        def at(moment):
            time.sleep(max(0, moment - time.monotonic()))

        at(faults[0][1])
        log("Fault: Redis stops for 30 s")
        redis.kill()
        at(faults[0][2])
        redis.start()
        at(faults[1][1])
        log("Fault: SMTP stops for 60 s")
        smtp.stop()
        at(faults[1][2])
        smtp.start()
        at(faults[2][1])
        log("Fault: the worker is SIGKILLed")
        os.killpg(worker.pid, signal.SIGKILL)
        at(faults[2][2])
        worker = start("worker", worker_command)
        at(faults[3][1])
        log("Fault: PostgreSQL restarts")
        postgres.stop()
        postgres.start(first=False)
        for player in [*players, races]:
            player.join()
        log("Load over; waiting up to 3 min for the outbox to drain")
        drain_until = time.monotonic() + 180
        while True:
            outbox = run_script(OUTBOX_SCRIPT, env)
            if not outbox["pending"] or time.monotonic() > drain_until:
                break
            time.sleep(10)
        database = run_script(CHECK_SCRIPT, env, stdin=json.dumps(
            {"filed": list(stats.filed), "races": [race[0] for race in stats.races]}))
        summary(stats, outbox, smtp.counts(), database)
        print(f"logs: {folder}")
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        for stop in reversed(services):
            try:
                stop()
            except Exception as error:  # noqa: BLE001 (already stopped)
                log(f"stopping: {error!r}")
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
