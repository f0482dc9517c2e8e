"""Every date input of the reports page and every download, walked with the extremes (accounts/tests/dates.py).

Never a 500: a day out of range, impossible or malformed is explained next to its field (the downloads
send the user back to the page, which explains it); a day in range gives a report whatever arithmetic is
done with it (the day after, the previous period, local midnights).
"""

import pytest
from django.urls import reverse

from accounts.tests.dates import INVALID, VALID, assert_message_next_to_field, date_inputs
from reports import exports
from reports.tests.dataset import build_week

pytestmark = pytest.mark.django_db

URL = reverse("reports:page")
WEEK = {"desde": "01/03/2026", "hasta": "07/03/2026"}
# Each date field and the other end of its range.
PARTNER = {"desde": "hasta", "hasta": "desde", "comparar_desde": "comparar_hasta", "comparar_hasta": "comparar_desde"}
VALID_DAY = {"desde": "01/03/2026", "hasta": "07/03/2026", "comparar_desde": "22/02/2026",
             "comparar_hasta": "28/02/2026"}
DOWNLOADS = [(table, extension) for table in exports.TABLES for extension in exports.FORMATS]


@pytest.fixture
def admin_client(client):
    client.force_login(build_week().admin)
    return client


def test_the_page_has_the_date_inputs_walked_here(admin_client):
    html = admin_client.get(URL, WEEK).content.decode()
    assert date_inputs(html) == list(PARTNER)


def query_with(field, typed, partner_typed):
    query = dict(WEEK)
    query[field], query[PARTNER[field]] = typed, partner_typed
    return query


@pytest.mark.parametrize("typed", INVALID)
@pytest.mark.parametrize("field", PARTNER)
def test_a_bad_day_is_explained_next_to_its_field(admin_client, field, typed):
    query = query_with(field, typed, VALID_DAY[PARTNER[field]])
    response = admin_client.get(URL, query)
    assert response.status_code == 200
    assert "report" not in response.context
    assert_message_next_to_field(response.content.decode(), field, INVALID[typed])
    back_to = {admin_client.get(reverse("reports:export", args=[table, extension]), query)["Location"]
               for table, extension in DOWNLOADS}
    assert len(back_to) == 1  # every download sends the user back to the same page
    back = admin_client.get(back_to.pop())
    assert back.status_code == 200
    assert_message_next_to_field(back.content.decode(), field, INVALID[typed])


@pytest.mark.parametrize("typed", VALID)
@pytest.mark.parametrize("field", PARTNER)
def test_a_day_at_the_edges_gives_a_report_and_downloads(admin_client, field, typed):
    query = query_with(field, typed, typed)  # a one-day period on that day
    response = admin_client.get(URL, query)
    assert response.status_code == 200
    assert "report" in response.context, response.context["form"].errors
    assert response.context["report"].period.length == 1 or field.startswith("comparar")
    for table, extension in DOWNLOADS:
        download = admin_client.get(reverse("reports:export", args=[table, extension]), query)
        assert download.status_code == 200, (table, extension)
        b"".join(download.streaming_content)


@pytest.mark.parametrize(("first", "last", "previous"), [
    ("01/01/2000", "01/01/2000", None),  # the day before is out of range: no shortcut that leads to an error
    ("01/01/2000", "31/12/2002", None),  # the longest period, at the start: its previous one would be in 1997
    ("02/01/2000", "02/01/2000", ("01/01/2000", "01/01/2000")),
    ("31/12/2099", "31/12/2099", ("30/12/2099", "30/12/2099")),
    ("01/01/2096", "31/12/2099", None),  # longer than three years: explained, no report
    ("01/01/2097", "31/12/2099", ("02/01/2094", "31/12/2096")),
    ("01/03/2024", "31/03/2024", ("30/01/2024", "29/02/2024")),
])
def test_the_previous_period_never_leaves_the_range(admin_client, first, last, previous):
    response = admin_client.get(URL, {"desde": first, "hasta": last})
    assert response.status_code == 200
    shortcut = response.context.get("previous_period_query")
    if previous is None:
        assert not shortcut
        return
    assert f"comparar_desde={previous[0]}&comparar_hasta={previous[1]}" in shortcut
    followed = admin_client.get(f"{URL}?{shortcut}")
    assert followed.status_code == 200 and followed.context["report"].comparison is not None
