"""`manage.py deliver_outbox`: send what is due now, once. For cron when there is no Celery worker."""

from django.core.management.base import BaseCommand

from mail import outbox


class Command(BaseCommand):
    help = "Deliver the outbox messages that are due (the same work as the worker's periodic sweep)."

    def handle(self, **options):
        sent = outbox.deliver_due()
        self.stdout.write(f"{sent} sent.")
