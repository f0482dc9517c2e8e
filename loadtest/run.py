"""The load-and-fault run, one command: `.venv/bin/python loadtest/run.py` (as root or the postgres user's
sudoer; see loadtest/README.md). PARTIAL: see the README for what it does not do yet.

Starts everything of its own on free loopback ports under a temporary folder, never the machine's services:
PostgreSQL (initdb, run as the `postgres` user), Redis, an SMTP server (aiosmtpd, counting Message-IDs),
moto's S3 server (attachments in a bucket), two gunicorn app servers behind nginx (deploy/nginx.conf, HTTPS),
a Celery worker with beat. Loads --tickets requests (generate_tickets) plus the demo people, then runs
--users simulated people for --minutes: clients filing requests with a PDF and reading their tray, operators
taking and answering, an administrator reading the reports. Meanwhile it stops Redis for 30 s, stops SMTP
for 60 s, SIGKILLs the worker once and restarts PostgreSQL once. It prints requests, errors by kind and by
window (inside/outside a fault), p50/p95 per page, emails expected vs received (lost, duplicated) and
requests created vs expected.
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
PASSWORD = "demo-sysmo-2026"  # noqa: S105 (manage.py seed_demo's, documented)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% carga\ntrailer<<>>\n%%EOF\n"
CLIENTS = [f"cliente{n}@demo.sysmo.ar" for n in range(1, 6)]
OPERATORS = [f"operador{n}@demo.sysmo.ar" for n in range(1, 4)]
ADMIN = "admin@demo.sysmo.ar"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
FORM = re.compile(r'<form([^>]*)>(.*?)</form>', re.S)
ACTION = re.compile(r'action="([^"]*)"')
TICKET_LINK = re.compile(r'href="/solicitudes/(\d+)/"')
TOPIC_OPTION = re.compile(r'<option value="(\d+)"')


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


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
        self.created = 0
        self.filed = 0

    def window(self, at):
        for name, start, end in self.faults:
            if start <= at <= end + 10:
                return f"during {name}"
        return "outside faults"

    def record(self, page, started, response=None, error=None, ok=(200, 302)):
        at = time.monotonic()
        window = self.window(started)
        with self.lock:
            self.requests[window] += 1
            if error is not None:
                self.errors[(type(error).__name__, window)] += 1
            elif response.status_code not in ok:
                self.errors[(f"HTTP {response.status_code} on {page}", window)] += 1
            elif window == "outside faults":
                self.times[page].append(at - started)


class User(threading.Thread):
    """One simulated person: logs in through the form, then repeats its role's steps until `stop_at`."""

    def __init__(self, site, cert, email, role, stats, stop_at, start_delay):
        super().__init__(daemon=True)
        self.site, self.email, self.role, self.stats = site, email, role, stats
        self.stop_at, self.start_delay = stop_at, start_delay
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = cert
        self.random = random.Random(email + str(start_delay))  # noqa: S311 (load mix, not security)

    def call(self, page, method, path, **kwargs):
        started = time.monotonic()
        try:
            response = self.session.request(method, self.site + path, timeout=30, allow_redirects=False,
                                            headers={"Referer": self.site + path}, **kwargs)
        except requests.RequestException as error:
            self.stats.record(page, started, error=error)
            return None
        self.stats.record(page, started, response=response)
        return response

    def form(self, html, action_part, page=None):
        """(action, hidden fields) of the form posting to `action_part` (or, with `page`, to the page itself)."""
        for attributes, body in FORM.findall(html):
            found = ACTION.search(attributes)
            action = found.group(1) if found else ""
            if action_part in action or (page and action == "" and "method=\"post\"" in attributes):
                return action or page, dict(HIDDEN.findall(body))
        return None, None

    def login(self):
        page = self.call("login page", "GET", "/accounts/login/")
        if page is None:
            return False
        data = dict(HIDDEN.findall(page.text))
        data.update(login=self.email, password=PASSWORD)
        response = self.call("login", "POST", "/accounts/login/", data=data)
        return response is not None and response.status_code == 302

    def run(self):
        time.sleep(self.start_delay)
        while not self.login():
            if time.monotonic() > self.stop_at:
                return
            time.sleep(5)
        while time.monotonic() < self.stop_at:
            getattr(self, self.role)()
            time.sleep(self.random.uniform(1, 3))

    def client(self):
        self.call("tray", "GET", "/solicitudes/")
        if self.random.random() < 0.4:
            page = self.call("new request page", "GET", "/solicitudes/nueva/")
            if page is None or page.status_code != 200:
                return
            _action, data = self.form(page.text, "/solicitudes/nueva/", page="/solicitudes/nueva/")
            topics = TOPIC_OPTION.findall(page.text)
            if data is None or not topics:
                return
            data.update(topic=self.random.choice(topics), subject=f"Carga {secrets.token_hex(4)}",
                        description="No funciona la impresora de la recepción desde esta mañana.")
            with self.stats.lock:
                self.stats.filed += 1
            response = self.call("file a request", "POST", "/solicitudes/nueva/", data=data,
                                 files={"files": ("factura.pdf", PDF, "application/pdf")})
            if response is not None and response.status_code == 302:
                with self.stats.lock:
                    self.stats.created += 1

    def operator(self):
        tray = self.call("tray", "GET", "/solicitudes/")
        if tray is None or tray.status_code != 200:
            return
        numbers = TICKET_LINK.findall(tray.text)
        if not numbers:
            return
        number = self.random.choice(numbers[:10])
        detail = self.call("request page", "GET", f"/solicitudes/{number}/")
        if detail is None or detail.status_code != 200:
            return
        action, data = self.form(detail.text, f"/solicitudes/{number}/tomar/")
        if action:
            self.call("take", "POST", action, data=data)
            detail = self.call("request page", "GET", f"/solicitudes/{number}/")
            if detail is None or detail.status_code != 200:
                return
        action, data = self.form(detail.text, f"/solicitudes/{number}/responder/")
        if action:
            internal = self.random.random() < 0.3
            data.update(body="Lo estamos revisando.", **({"mode": "internal"} if internal else {}))
            self.call("internal comment" if internal else "answer", "POST", action.split("#")[0], data=data)

    def admin(self):
        self.call("reports", "GET", "/informes/")
        self.call("tray", "GET", "/solicitudes/")


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--tickets", type=int, default=100_000)
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
        )
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["seed_demo"],
                        ["generate_tickets", str(options.tickets), "--seed", "1"]):
            log("manage.py " + " ".join(command))
            subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
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
        worker = start("worker", [str(bin_dir / "celery"), "-A", "sysmo", "worker", "-B", "--concurrency=2",
                                  "--loglevel=INFO", "-s", str(folder / "beat-schedule")])
        start("nginx", ["/usr/sbin/nginx", "-e", str(folder / "nginx-error.log"), "-p", str(folder),
                        "-c", str(folder / "nginx.conf")])
        deadline = time.monotonic() + 120
        while not all(_answers("127.0.0.1", p) for p in [*app_ports, https_port]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app servers or nginx did not start; logs in {folder}")
            time.sleep(0.5)

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
        people = []
        for n in range(options.users):
            kind = "admin" if n == 0 else ("operator" if n % 3 == 1 else "client")
            email = ADMIN if kind == "admin" else (OPERATORS[n % 3] if kind == "operator" else CLIENTS[n % 5])
            # Logins 2.5 s apart: the login limit is 30 a minute per address, and every user comes from 127.0.0.1.
            people.append(User(site, str(cert), email, kind, stats, begin + duration, n * 2.5))
        log(f"{options.users} users for {options.minutes} min against {site}")
        for person in people:
            person.start()

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
        worker = start("worker", [str(bin_dir / "celery"), "-A", "sysmo", "worker", "-B", "--concurrency=2",
                                  "--loglevel=INFO", "-s", str(folder / "beat-schedule")])
        at(faults[3][1])
        log("Fault: PostgreSQL restarts")
        postgres.stop()
        postgres.start(first=False)
        for person in people:
            person.join()
        log("Load over; waiting up to 3 min for the outbox to drain")
        code = ("import django, json; django.setup(); from mail.models import OutboxMessage as O; "
                "print(json.dumps({s: list(O.objects.filter(status=s).values_list('message_id', flat=True)) "
                "for s in ('pending', 'sent', 'failed')}))")
        import json

        drain_until = time.monotonic() + 180
        while True:
            outbox = json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,  # noqa: S603
                                               capture_output=True, text=True).stdout)
            if not outbox["pending"] or time.monotonic() > drain_until:
                break
            time.sleep(10)

        received = smtp.counts()
        expected = set(outbox["pending"]) | set(outbox["sent"]) | set(outbox["failed"])
        print("\n== Summary")
        print(f"requests: {sum(stats.requests.values())} ({dict(stats.requests)})")
        print("errors by kind and window:" + ("" if stats.errors else " none"))
        for (kind, window), count in sorted(stats.errors.items()):
            print(f"  {count:6d}  {kind}  [{window}]")
        print("p50 / p95 per page (ms, outside fault windows):")
        for page, times in sorted(stats.times.items()):
            print(f"  {page:20s} {percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f}  (n={len(times)})")
        print(f"emails: {len(expected)} in the outbox ({len(outbox['sent'])} sent, {len(outbox['pending'])} pending, "
              f"{len(outbox['failed'])} failed); received at SMTP {sum(received.values())}: "
              f"lost {len(expected - set(received))}, duplicated {sum(1 for c in received.values() if c > 1)}")
        print(f"requests created: {stats.created} of {stats.filed} filed (a filing whose answer was lost counts "
              f"as filed, not created)")
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
