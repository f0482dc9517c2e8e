"""`manage.py bench_reports`: how long each report takes on the data in the database (p50/p95 over runs).

Run it after `generate_tickets`: the default period is the last 365 days, what an administrator reads
when asking for a year. Nothing is written to the database.
"""

import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from reports import exports, metrics, satisfaction, service_quality, time_spent
from reports.views import report_page
from tickets.models import Ticket

# What a line that is not one report measures; the 300 ms target is for one report (issue 15). A download of
# every row (a year of survey comments: tens of thousands; time per company: one row per client company) grows
# with its rows, like any export.
SEVERAL_REPORTS, ALL_ROWS = False, "all rows"
NOT_ONE_REPORT = {SEVERAL_REPORTS: "  (varios informes)", ALL_ROWS: "  (descarga de todas las filas)"}


def percentile(values, fraction):
    """Nearest-rank percentile: with few runs, p95 is the slowest run or close to it."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


class Command(BaseCommand):
    help = "Mide cuánto tarda cada informe (p50 y p95 en milisegundos) con los datos de la base."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365, help="días del período (por defecto 365)")
        parser.add_argument("--runs", type=int, default=7, help="mediciones por informe, sin contar la primera")
        parser.add_argument("--target", type=float, default=300.0, help="objetivo en ms por informe")

    def handle(self, days, runs, target, **options):
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).first() or User(
            role=Role.ADMIN, is_active=True, email="bench@example.com"
        )
        last = timezone.localdate()
        period = metrics.Period(last - timedelta(days=days - 1), last)
        previous = period.previous()
        tickets = metrics.requests_for(admin)

        total = Ticket.objects.count()
        received = metrics.received_in(tickets, period).count()
        self.stdout.write(
            f"Base: {connection.vendor} · {total:,} solicitudes · período {period.first_day:%d/%m/%Y}–"
            f"{period.last_day:%d/%m/%Y} ({period.length} días, {received:,} recibidas) · {runs} mediciones"
        )
        self.stdout.write(f"{'Informe':<44}{'p50 ms':>9}{'p95 ms':>9}{'consultas':>11}")
        missed = 0
        for name, run, is_report in self.reports(admin, tickets, period, previous):
            timings, queries = self.measure(run, runs)
            p50, p95 = statistics.median(timings), percentile(timings, 0.95)
            mark = ("  > objetivo" if is_report is True and p95 > target else "" if is_report is True
                    else NOT_ONE_REPORT[is_report])
            missed += mark == "  > objetivo"
            self.stdout.write(f"{name:<44}{p50:>9.1f}{p95:>9.1f}{queries:>11}{mark}")
        verdict = "todos dentro" if not missed else f"{missed} fuera"
        self.stdout.write(f"Objetivo: {target:.0f} ms por informe (p95): {verdict}.")

    def reports(self, admin, tickets, period, previous):
        """(name, function, is one report) for each report and download, then the whole page."""
        request_factory = RequestFactory()
        query = {"desde": f"{period.first_day:%d/%m/%Y}", "hasta": f"{period.last_day:%d/%m/%Y}"}
        compared = {**query, "comparar_desde": f"{previous.first_day:%d/%m/%Y}",
                    "comparar_hasta": f"{previous.last_day:%d/%m/%Y}"}

        def page(params):
            request = request_factory.get("/informes/", params)
            request.user = admin
            return report_page(request).content

        def download(table, extension):
            def run():
                response = exports.export(table, extension, tickets, period, None)
                return b"".join(response.streaming_content)
            return run

        return [
            ("Recibidas por día", lambda: metrics.received_per_day(tickets, period), True),
            ("Cerradas por día", lambda: metrics.closed_per_day(tickets, period), True),
            ("Tiempo de resolución (promedio y mediana)", lambda: metrics.resolution(tickets, period), True),
            ("Abiertas al final del período", lambda: metrics.open_at_end(tickets, period), True),
            ("Resueltas por usuario", lambda: metrics.resolved_per_operator(tickets, period), True),
            ("Por temática", lambda: metrics.per_topic(tickets, period), True),
            ("Por prioridad", lambda: metrics.per_priority(tickets, period), True),
            ("Primera respuesta (promedio y mediana)", lambda: service_quality.first_responses(tickets, period), True),
            ("Primera respuesta por temática",
             lambda: service_quality.first_responses(tickets, period, "topic"), True),
            ("Primera respuesta por usuario",
             lambda: service_quality.first_responses(tickets, period, "first_response_by"), True),
            ("Cumplimiento del SLA", lambda: service_quality.compliance(tickets, period), True),
            ("Tiempo dedicado (total)", lambda: time_spent.time_spent(tickets, period), True),
            ("Tiempo dedicado por usuario", lambda: time_spent.time_spent(tickets, period, "user"), True),
            ("Tiempo dedicado por temática", lambda: time_spent.time_spent(tickets, period, "topic"), True),
            ("Tiempo dedicado por empresa", lambda: time_spent.time_spent(tickets, period, "company"), True),
            ("Descarga XLSX: tiempo por empresa", download("tiempo-por-empresa", "xlsx"), ALL_ROWS),
            # Satisfaction (issue 15): the closing email's survey.
            ("Satisfacción: total", lambda: satisfaction.figures(tickets, period), True),
            ("Satisfacción por usuario", lambda: satisfaction.figures(tickets, period, "assignee"), True),
            ("Satisfacción por temática", lambda: satisfaction.figures(tickets, period, "topic"), True),
            ("Satisfacción: comentarios (últimos 20)", lambda: satisfaction.comments(tickets, period), True),
            ("Descarga CSV: comentarios de la encuesta", download("satisfaccion-comentarios", "csv"), ALL_ROWS),
            ("Descarga CSV: resumen (3 de los anteriores)", download("resumen", "csv"), False),
            ("Descarga CSV: por temática", download("por-tematica", "csv"), True),
            ("Descarga XLSX: recibidas por día", download("recibidas-por-dia", "xlsx"), True),
            ("Página completa (todos los informes)", lambda: page(query), False),
            ("Página con comparación (dos períodos)", lambda: page(compared), False),
        ]

    def measure(self, run, runs):
        """Milliseconds of each run after a first one that warms the caches, and the queries of one run."""
        with CaptureQueriesContext(connection) as captured:
            run()
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            run()
            timings.append((time.perf_counter() - started) * 1000)
        return timings, len(captured)
