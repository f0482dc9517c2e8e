"""Everything a finger or a pointer aims at is at least 24×24 CSS px (WCAG 2.2, 2.5.8) on the pages users touch
most, desktop and phone. Links inside a sentence are exempt, as WCAG says; a checkbox counts with its label."""

import pytest

from accounts.tests.factories import ClientFactory, OperatorFactory
from e2e.helpers import open_menu
from tickets.models import State
from tickets.tests.factories import InterventionFactory, TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MINIMUM = 24
SMALL_TARGETS = """(minimum) => {
    const visible = (r) => r.width > 0 && r.height > 0;
    const union = (a, b) => { const x = Math.min(a.left, b.left), y = Math.min(a.top, b.top);
        return {width: Math.max(a.right, b.right) - x, height: Math.max(a.bottom, b.bottom) - y}; };
    const inSentence = (el) => getComputedStyle(el).display === "inline" && el.parentElement
        && el.parentElement.textContent.trim() !== el.textContent.trim();
    return [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")]
        .filter((el) => visible(el.getBoundingClientRect()))
        .filter((el) => !el.closest(".visually-hidden, .visually-hidden-focusable"))
        .filter((el) => !(el.tagName === "A" && inSentence(el)))
        .map((el) => {
            let box = el.getBoundingClientRect();
            for (const label of el.labels || []) box = union(box, label.getBoundingClientRect());
            return {what: el.outerHTML.slice(0, 90), width: Math.round(box.width), height: Math.round(box.height)};
        })
        .filter((t) => t.width < minimum || t.height < minimum);
}"""


def assert_targets_big_enough(page):
    small = page.evaluate(SMALL_TARGETS, MINIMUM)
    assert not small, f"tap targets under {MINIMUM}×{MINIMUM} px on {page.url}:\n" + "\n".join(map(str, small))


def test_tap_targets_are_at_least_24_px(new_page, live_server):
    from django.test import Client

    topic = TopicFactory(name="Facturación")
    operator, client_user = OperatorFactory(), ClientFactory(phone="+5491155551234")
    topic.operators.add(operator)
    ticket = TicketFactory(topic=topic, requester=client_user, state=State.IN_PROGRESS, assignee=operator)
    InterventionFactory(ticket=ticket, author=operator, body="Mirá https://ejemplo.com.ar/ayuda y contame.")

    anonymous = new_page("anonymous")
    for path in ("/", "/accounts/login/", "/accounts/signup/"):
        anonymous.goto(path)
        assert_targets_big_enough(anonymous)
    open_menu(anonymous)
    assert_targets_big_enough(anonymous)

    for label, user, paths in (
        ("operator", operator, ["/solicitudes/", ticket.get_absolute_url()]),
        ("client", client_user, ["/solicitudes/", "/solicitudes/nueva/", ticket.get_absolute_url()]),
    ):
        page = new_page(label)
        session = Client()
        session.force_login(user)
        page.context.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value,
                                   "url": live_server.url}])
        for path in paths:
            page.goto(path)
            for _ in range(3):  # what hides behind «Buscar y filtrar» and "Más filtros" counts too
                for summary in page.locator("details:not([open]) > summary").all():
                    if summary.is_visible():
                        summary.click()
            assert_targets_big_enough(page)
