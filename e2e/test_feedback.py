"""After writing on a long request the page lands on the new message, its confirmation on it, nothing under
the sticky header: the client on the `page` fixture's viewport, an operator answering on the same one."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, OperatorFactory
from e2e.helpers import SCREENSHOTS
from tickets.models import State
from tickets.tests.factories import InterventionFactory, TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG = "Les cuento con detalle lo que pasó con la factura de este mes. " * 12


def where_it_landed(page, text):
    """-> positions in CSS px of the header's bottom, the new message and its confirmation, and the screen."""
    return page.evaluate(
        """(text) => {
            const item = [...document.querySelectorAll(".timeline-item")].find((li) => li.textContent.includes(text));
            const note = item.querySelector(".message-confirmation");
            return {header: document.querySelector(".site-header").getBoundingClientRect().bottom,
                    item: item.getBoundingClientRect().top, note: note && note.getBoundingClientRect().toJSON(),
                    screen: window.innerHeight, hash: location.hash, id: item.id, scrolled: window.scrollY};
        }""",
        text,
    )


def assert_lands_on(page, text, confirmation):
    expect(page.get_by_role("status").filter(has_text=confirmation)).to_be_visible()
    page.wait_for_function("() => window.__sysmoAxeDone !== undefined")  # axe may scroll while it reads
    page.evaluate("() => window.__sysmoAxeDone")
    # Bootstrap scrolls smoothly to the fragment: measure once the page has stopped moving.
    last = None
    while (now := page.evaluate("() => window.scrollY")) != last:
        last = now
        page.wait_for_timeout(250)
    spot = where_it_landed(page, text)
    assert spot["hash"] == f"#{spot['id']}", spot
    assert spot["scrolled"] > 600, f"the page did not move to the new message: {spot}"
    assert spot["item"] >= spot["header"], f"the new message starts under the sticky header: {spot}"
    assert spot["note"] and spot["header"] <= spot["note"]["top"] and spot["note"]["bottom"] <= spot["screen"], spot
    assert page.locator(".messages-container .alert").count() == 0  # said once, where the eye is


def test_after_replying_the_page_lands_on_the_new_message(new_page, live_server, viewport):
    from django.test import Client

    topic = TopicFactory(name="Facturación")
    client_user, operator = ClientFactory(full_name="Ana Díaz"), OperatorFactory(full_name="Olga Operadora")
    topic.operators.add(operator)
    ticket = TicketFactory(topic=topic, requester=client_user, state=State.IN_PROGRESS, assignee=operator,
                           subject="Factura duplicada", description=LONG)
    for n in range(6):
        InterventionFactory(ticket=ticket, author=operator if n % 2 else client_user, body=f"{n}. {LONG}")

    for who, user, text, confirmation in (
        ("client", client_user, "Adjunto el comprobante que me pidieron.", "Enviamos tu respuesta."),
        ("operator", operator, "Listo Ana, ya emitimos la nota de crédito.", "Enviamos tu respuesta."),
    ):
        page = new_page(who)
        browser_client = Client()
        browser_client.force_login(user)
        page.context.add_cookies([{"name": "sessionid", "value": browser_client.cookies["sessionid"].value,
                                   "url": live_server.url}])
        page.goto(ticket.get_absolute_url())
        page.locator("#responder").get_by_label("Mensaje").fill(text)
        page.get_by_role("button", name="Responder", exact=True).click()
        assert_lands_on(page, text, confirmation)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"feedback-{viewport}-{who}.png"))  # the screen as the user sees it
