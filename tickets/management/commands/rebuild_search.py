"""`manage.py rebuild_search`: recompute every request's searchable text (tickets.search).

The services keep it up to date on every write; this is for data written around them (an import, a
restore, a database made before migration 0004 was edited) and after changing how text is indexed.
"""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from tickets import search


class Command(BaseCommand):
    help = "Recalcula el texto de búsqueda de todas las solicitudes (público e interno), por lotes."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=20_000, help="solicitudes por transacción")

    def handle(self, batch_size, **options):
        started = time.monotonic()
        with tqdm(unit=" solicitudes", desc="Indexando", disable=options["verbosity"] < 1) as progress:
            done = search.rebuild(batch_size=max(batch_size, 1), progress=progress.update)
        self.stdout.write(f"Listo: {done} números de solicitud indexados en {time.monotonic() - started:.1f} s.")
