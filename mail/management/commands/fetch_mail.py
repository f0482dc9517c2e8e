"""`manage.py fetch_mail`: read the IMAP mailbox once (INBOUND_IMAP_URL). For cron and the embedded mode;
with a Celery worker the beat does it every INBOUND_POLL_SECONDS."""

from django.core.management.base import BaseCommand, CommandError

from mail import fetching


class Command(BaseCommand):
    help = "Trae los correos no leídos del buzón IMAP (INBOUND_IMAP_URL) y los procesa."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="Otro buzón en vez de INBOUND_IMAP_URL.")

    def handle(self, url, **options):
        try:
            stored, processed = fetching.fetch(url or None)
        except fetching.NotConfigured as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:  # the server is down or refused us: nothing was lost, try again later
            raise CommandError(f"No se pudo leer el buzón: {type(exc).__name__}: {exc}") from exc
        self.stdout.write(f"{stored} nuevos, {processed} procesados.")
