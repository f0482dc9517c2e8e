"""`manage.py purge_pending_uploads`: the periodic Celery task, for installations without a worker (cron)."""

from django.core.management.base import BaseCommand

from tickets import uploads


class Command(BaseCommand):
    help = "Borra los adjuntos de formularios abandonados (más viejos que PENDING_UPLOAD_MAX_AGE_HOURS)."

    def handle(self, *args, **options):
        count = uploads.purge_expired()
        self.stdout.write(f"Se borraron {count} adjuntos pendientes.")
