"""`manage.py rebuild_report_summary`: recompute the reports' daily summary (reports.summary) from the requests,
the time summary from the time records and the survey summary from the surveys.

The services keep the summary exact; this is for data written around them (a bulk load, a fix by hand in
the database). `--check` only reports the rows that disagree, and exits with an error when any does.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports import summary

LABELS = ("cantidad", "duración µs", "con minutos hábiles", "minutos hábiles", "con vencimiento", "a tiempo")
# Rows of the time summary (keys starting with "tiempo") and of the survey summary ("encuestas").
OTHER_LABELS = {"tiempo": ("minutos", "registros"), "encuestas": ("encuestas",)}


class Command(BaseCommand):
    help = ("Recalcula el resumen diario de los informes (recibidas, cerradas, tiempos) desde las solicitudes, "
            "el del tiempo dedicado desde sus registros y el de las encuestas.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="solo informar las diferencias, sin corregirlas")

    def handle(self, check, **options):
        if check:
            drift = summary.drift()
            for key, (kept, actual) in sorted(drift.items(), key=str):
                labels = OTHER_LABELS.get(key[0], LABELS)
                differences = ", ".join(f"{label} dice {a}, son {b}"
                                        for label, a, b in zip(labels, kept, actual, strict=True) if a != b)
                self.stdout.write(f"{' '.join(str(part) for part in key)}: {differences}")
            if drift:
                raise CommandError(f"{len(drift)} filas del resumen no coinciden con las solicitudes.")
            self.stdout.write("El resumen de los informes coincide con las solicitudes.")
            return
        with transaction.atomic():
            rows = summary.rebuild()
        self.stdout.write(f"Listo: resumen de los informes recalculado ({rows} filas).")
