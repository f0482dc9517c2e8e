"""Every page fits a 360 px phone, with the menu open, and is ready for a strict Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory, ClientFactory, CompanyFactory
from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow, open_menu
from tickets.models import State
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ANONYMOUS_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_pages_fit_a_360px_phone_and_need_no_inline_code(page, log_in):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ANONYMOUS_PAGES:
        page.goto(path)
        open_menu(page)
        assert_no_horizontal_overflow(page)
        assert_csp_ready(page, path)

    requester = ClientFactory(
        full_name="Ana María Rodríguez de los Santos",
        company=CompanyFactory(name="Distribuidora Mayorista del Litoral Sociedad Anónima"),
    )
    ticket = TicketFactory(
        requester=requester, topic=TopicFactory(name="Soporte técnico de sistemas contables"),
        subject="Unapalabramuylargasinespaciosquenodeberíaromperlapantalladelteléfono" * 2,
        description="Línea uno\nLínea dos <script>alert(1)</script>", state=State.IN_PROGRESS,
        assignee=AdminFactory(full_name="Administradora con un nombre bastante largo"),
    )
    log_in(requester)
    for path in ["/solicitudes/", ticket.get_absolute_url(), "/accounts/logout/"]:
        page.goto(path)
        open_menu(page)
        assert_no_horizontal_overflow(page)
        assert_csp_ready(page, path)
    page.goto(ticket.get_absolute_url())
    expect(page.get_by_role("main")).to_contain_text("<script>alert(1)</script>")
