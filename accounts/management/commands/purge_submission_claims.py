"""`manage.py purge_submission_claims`: the periodic Celery task, for installations without a worker (cron)."""

from django.core.management.base import BaseCommand

from accounts import submissions


class Command(BaseCommand):
    help = "Borra las claves de formularios enviados más viejas que SUBMISSION_KEY_MAX_AGE_DAYS."

    def handle(self, *args, **options):
        count = submissions.purge_expired()
        self.stdout.write(f"Se borraron {count} claves de formularios enviados.")
