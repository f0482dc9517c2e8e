"""`manage.py rebuild_counters`: recount the tab counts (tickets.tray_counts) from the requests.

The services keep the counters exact; this is for data written around them. `--check` only reports
the counters that disagree, and exits with an error when any does.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tickets import tray_counts


class Command(BaseCommand):
    help = "Recuenta las cantidades por temática y estado y por asignado y estado que muestran las bandejas."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="solo informar las diferencias, sin corregirlas")

    def handle(self, check, **options):
        if check:
            drift = tray_counts.drift()
            for (table, owner, state), (stored, actual) in sorted(drift.items(), key=str):
                self.stdout.write(f"{table} {owner} {state}: dice {stored}, son {actual}")
            if drift:
                raise CommandError(f"{len(drift)} contadores no coinciden con las solicitudes.")
            self.stdout.write("Los contadores coinciden con las solicitudes.")
            return
        with transaction.atomic():
            tray_counts.rebuild()
        self.stdout.write("Listo: contadores recalculados.")
