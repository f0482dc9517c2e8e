"""`manage.py bench_outbox N`: queue N emails and time one worker delivering them to a local SMTP server.

The SMTP server is aiosmtpd (requirements-dev.txt) on a free loopback port. With REDIS_URL the worker is
a real `celery -A sysmo worker` subprocess (one process, solo pool); without it, the embedded mode:
delivery runs in this process right after the commit. The messages are deleted at the end.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from mail import outbox
from mail.models import OutboxMessage

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class Command(BaseCommand):
    help = "Queue N emails and print how many messages per second one worker delivers to a local SMTP server."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--timeout", type=float, default=300, help="Give up after this many seconds.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, count, timeout, force, **options):
        if not (settings.DEBUG or force):
            raise CommandError("bench_outbox writes and deletes test emails: run it on a development database "
                               "(DEBUG=1), or pass --force.")
        if settings.EMAIL_BACKEND != "mail.outbox.OutboxBackend":
            raise CommandError("EMAIL_BACKEND is not the outbox.")
        try:
            from mail.tests.smtp import SMTPServer
        except ImportError as exc:
            raise CommandError("bench_outbox needs aiosmtpd: pip install -r requirements-dev.txt") from exc

        run = uuid.uuid4().hex[:12]
        domain = f"bench-{run}.invalid"
        smtp = SMTPServer().start()
        worker = None
        try:
            mode = f"one Celery worker (solo pool) via {settings.CELERY_BROKER_URL.split('@')[-1]}"
            if settings.CELERY_TASK_ALWAYS_EAGER:
                mode = "embedded mode: in this process, after the commit"
                delivery = override_settings(
                    OUTBOX_DELIVERY_BACKEND=SMTP_BACKEND, EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port,
                    EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="", EMAIL_USE_TLS=False, EMAIL_USE_SSL=False,
                )
            else:
                worker = self._start_worker(smtp.url)
                delivery = override_settings()
            self.stdout.write(f"Queueing {count} messages; delivery: {mode}; SMTP server 127.0.0.1:{smtp.port}")

            messages = [self._message(n, domain) for n in range(count)]
            started = time.monotonic()
            with delivery:
                with transaction.atomic():
                    get_connection().send_messages(messages)
                    queued = time.monotonic()
                sent = self._wait_until_sent(domain, count, started, timeout)
            elapsed = time.monotonic() - started
        finally:
            if worker:
                worker.kill()
                worker.wait(timeout=10)
            smtp.stop()
            OutboxMessage.objects.filter(message_id__endswith=f"@{domain}>").delete()

        received = smtp.counts()
        self.stdout.write(f"Queued in {queued - started:.2f} s ({count / (queued - started):.0f} messages/s, one "
                          "transaction).")
        self.stdout.write(f"Sent {sent} of {count}; the SMTP server received {sum(received.values())} "
                          f"({len(received)} distinct Message-IDs).")
        self.stdout.write(self.style.SUCCESS(
            f"{sent} messages delivered in {elapsed:.2f} s: {sent / elapsed:.0f} messages/s "
            f"(batches of {settings.OUTBOX_BATCH_SIZE} per SMTP connection)."
        ))
        if sent < count:
            raise CommandError(f"Only {sent} of {count} were delivered within {timeout:.0f} s.")

    def _message(self, n, domain):
        message = EmailMultiAlternatives(
            f"Solicitud #{n}: hay una respuesta nueva", f"Hola:\n\nHay una respuesta nueva en la solicitud #{n}.\n",
            to=[f"cliente{n}@{domain}"], headers={"Message-ID": make_msgid(domain=domain)},
        )
        message.attach_alternative(f"<p>Hola:</p><p>Hay una respuesta nueva en la solicitud #{n}.</p>", "text/html")
        return message

    def _start_worker(self, email_url):
        """A worker as in production, but delivering to our SMTP server; returns once it is ready."""
        log = tempfile.TemporaryFile()  # noqa: SIM115 (the worker writes to it until it is killed)
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "sysmo", "worker", "-P", "solo", "-l", "info",
             "-n", f"bench-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env={**os.environ, "EMAIL_URL": email_url}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            log.seek(0)
            if b" ready." in log.read():
                return process
            time.sleep(0.1)
        process.kill()
        log.seek(0)
        raise CommandError("The Celery worker did not start:\n" + log.read().decode(errors="replace")[-2000:])

    def _wait_until_sent(self, domain, count, started, timeout):
        rows = OutboxMessage.objects.filter(message_id__endswith=f"@{domain}>", status=OutboxMessage.Status.SENT)
        sent = 0
        while time.monotonic() - started < timeout:
            if settings.CELERY_TASK_ALWAYS_EAGER:  # embedded mode: this process is the worker
                outbox.deliver_due(requeue=False)
            sent = rows.count()
            if sent >= count:
                break
            time.sleep(0.05)
        return sent
