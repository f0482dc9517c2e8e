"""An administrator reads the reports: picks a week, compares it with the one before, and each chart
shows exactly the numbers of the table beside it."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow, open_menu, screenshot
from reports.tests.dataset import build_week

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHART_DATA = """(id) => {
    const chart = Chart.getChart(document.getElementById(id));
    return {labels: chart.data.labels, datasets: chart.data.datasets.map((d) => ({data: d.data, dates: d.dates}))};
}"""
TABLE_CELLS = "rows => rows.map((row) => [...row.cells].map((cell) => cell.textContent.trim()))"


def read_chart_and_table(page, chart_id):
    chart = page.evaluate(CHART_DATA, chart_id)
    section = page.locator("section").filter(has=page.locator(f"#{chart_id}"))
    section.get_by_text("Ver los números en una tabla").click()
    table = page.locator(f"#{chart_id}-tabla")
    expect(table).to_be_visible()
    return chart, table.locator("tbody tr").evaluate_all(TABLE_CELLS)


def number(text):
    return None if text == "—" else int(text.replace(".", ""))


def test_an_administrator_compares_two_weeks_and_each_chart_matches_its_table(page, log_in):
    week = build_week()
    log_in(week.admin)
    page.emulate_media(reduced_motion="reduce")  # the charts draw at once: stable screenshots
    page.goto("/")
    open_menu(page)
    page.get_by_role("link", name="Informes").click()
    expect(page.get_by_role("heading", level=1, name="Informes")).to_be_visible()

    period = page.get_by_role("group", name="Período")
    # The browser's date picker (accounts.dates.DayInput): its value is aaaa-mm-dd.
    period.get_by_label("Desde").fill("2026-03-01")
    period.get_by_label("Hasta").fill("2026-03-07")
    page.get_by_role("button", name="Ver informe").click()
    expect(page.get_by_text("Del 01/03/2026 al 07/03/2026 (7 días)")).to_be_visible()
    page.get_by_role("link", name="Comparar con el período anterior").click()
    expect(page.get_by_text("comparado con el 22/02/2026 al 28/02/2026")).to_be_visible()

    expected = {
        "grafico-recibidas": ([0, 2, 0, 1, 1, 0, 1], [0, 1, 0, 1, 0, 0, 2]),
        "grafico-cerradas": ([1, 2, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 0, 0]),
    }
    for chart_id, (current, previous) in expected.items():
        chart, rows = read_chart_and_table(page, chart_id)
        # The chart draws what the table says, day by day, for both periods.
        assert [dataset["data"] for dataset in chart["datasets"]] == [current, previous]
        assert [[number(row[1]) for row in rows], [number(row[3]) for row in rows]] == [current, previous]
        assert [row[0] for row in rows] == chart["datasets"][0]["dates"]
        assert [row[2] for row in rows] == chart["datasets"][1]["dates"]
        assert chart["labels"] == [f"{day:02d}/03" for day in range(1, 8)]

    operators = page.locator("#tabla-operadores")
    expect(operators.get_by_role("row").filter(has_text="Martín Gómez")).to_contain_text("3")
    expect(page.locator(".report-kpi").filter(has_text="Solicitudes recibidas")).to_contain_text("+25 %")
    assert_no_horizontal_overflow(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page)
    assert_csp_ready(page, page.url)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_wrong_date_is_explained_next_to_its_field(page, log_in):
    log_in(build_week().admin)
    # The picker lets no one choose 31/02; a link typed or edited by hand can still say it.
    page.goto("/informes/?desde=31/02/2026&hasta=07/03/2026")
    period = page.get_by_role("group", name="Período")
    expect(period.get_by_text("La fecha 31/02/2026 no existe: revisá el día y el mes.")).to_be_visible()
    expect(period.get_by_label("Desde")).to_have_class("dayinput form-control is-invalid")
    expect(period.get_by_label("Hasta")).to_have_value("2026-03-07")
    page.goto("/informes/?desde=01/01/9999&hasta=31/12/9999")
    expect(period.get_by_text("Escribí una fecha entre 01/01/2000 y 31/12/2099.")).to_have_count(2)
    # A day written as a phone keypad types it (no "/") is understood.
    page.goto("/informes/?desde=01032026&hasta=07-03-2026")
    expect(page.get_by_text("Del 01/03/2026 al 07/03/2026 (7 días)")).to_be_visible()
    expect(period.get_by_label("Desde")).to_have_value("2026-03-01")
    period.get_by_label("Desde").fill("2026-02-28")
    page.get_by_role("button", name="Ver informe").click()
    expect(page.get_by_text("Del 28/02/2026 al 07/03/2026 (8 días)")).to_be_visible()
    assert_no_horizontal_overflow(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page)
