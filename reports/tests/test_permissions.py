"""Who reaches the reports: administrators only. Everyone else gets 404 (anonymous: the login page)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from reports.exports import FORMATS, TABLES

pytestmark = pytest.mark.django_db

ENDPOINTS = [reverse("reports:page")] + [
    reverse("reports:export", args=[table, extension]) for table in TABLES for extension in FORMATS
]
PEOPLE = {
    "anonymous": None,
    "client": ClientFactory,
    "operator": OperatorFactory,
    "inactive administrator": lambda: AdminFactory(is_active=False),
    "administrator": AdminFactory,
}
EXPECTED = {"anonymous": 302, "client": 404, "operator": 404, "inactive administrator": 302, "administrator": 200}


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("who", PEOPLE)
def test_only_administrators_reach_reports_and_downloads(client, who, url):
    if PEOPLE[who]:
        client.force_login(PEOPLE[who]())
    response = client.get(url)
    assert response.status_code == EXPECTED[who]
    if EXPECTED[who] == 302:
        assert response["Location"].startswith(reverse("account_login"))


def test_the_menu_shows_reports_to_administrators_only(client):
    client.force_login(OperatorFactory())
    assert reverse("reports:page") not in client.get(reverse("tickets:inbox")).content.decode()
    client.force_login(AdminFactory())
    assert reverse("reports:page") in client.get(reverse("tickets:inbox")).content.decode()
