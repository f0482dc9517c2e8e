"""The benchmark command runs every report and prints its timings."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from reports.tests.dataset import build_week

pytestmark = pytest.mark.django_db


def test_bench_reports_prints_p50_and_p95_for_each_report():
    build_week()
    out = StringIO()
    call_command("bench_reports", "--days", "400", "--runs", "2", stdout=out)
    output = out.getvalue()
    assert "10 solicitudes" in output
    lines = [line for line in output.splitlines() if re.search(r"\d+\.\d\s+\d+\.\d\s+\d+", line)]
    names = [re.split(r"\s{2,}", line)[0] for line in lines]
    assert names[:7] == [
        "Recibidas por día", "Cerradas por día", "Tiempo de resolución (promedio y mediana)",
        "Abiertas al final del período", "Resueltas por usuario", "Por temática", "Por prioridad",
    ]
    assert names[7:11] == ["Primera respuesta (promedio y mediana)", "Primera respuesta por temática",
                           "Primera respuesta por usuario", "Cumplimiento del SLA"]
    assert names[11:16] == ["Tiempo dedicado (total)", "Tiempo dedicado por usuario", "Tiempo dedicado por temática",
                           "Tiempo dedicado por empresa", "Descarga XLSX: tiempo por empresa"]
    assert len(lines) == 26
    assert "Satisfacción por usuario" in names and "Descarga CSV: comentarios de la encuesta" in names
    assert lines[-1].startswith("Página con comparación") and lines[-1].endswith("(varios informes)")
    assert "Objetivo: 300 ms por informe (p95)" in output
