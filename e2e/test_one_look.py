"""One look across pages: pills in the product's colour, a message's header on one line on a phone, and the
"Ordenar por" and "Estado" choices shown whole."""

import pytest

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from e2e.helpers import open_finder, screenshot
from tickets.models import State
from tickets.tests.factories import InterventionFactory, TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BRAND = "rgb(31, 95, 209)"  # --sysmo-brand


def test_pills_headers_and_choices_look_like_the_product(page, log_in, viewport):
    topic = TopicFactory(name="Facturación")
    operator = OperatorFactory(full_name="Martín Gómez")
    topic.operators.add(operator)
    ticket = TicketFactory(topic=topic, requester=ClientFactory(full_name="Ana Martínez"), assignee=operator,
                           state=State.IN_PROGRESS)
    InterventionFactory(ticket=ticket, author=operator, body="Ya lo estamos viendo.")

    log_in(AdminFactory())
    page.goto("/correo/")
    active = page.locator(".status-pills .nav-link.active")
    assert active.evaluate("(el) => getComputedStyle(el).backgroundColor") == BRAND

    log_in(operator)
    page.goto(ticket.get_absolute_url())
    heads = page.locator(".message-head").evaluate_all(
        """(heads) => heads.map((head) => {
            const [who, when] = [".message-author", ".message-when"]
                .map((css) => head.querySelector(css).getBoundingClientRect());
            return {sideBySide: who.top < when.bottom && when.top < who.bottom, height: head.offsetHeight};
        })"""
    )
    assert heads and all(head["sideBySide"] and head["height"] <= 36 for head in heads), heads  # one line
    screenshot(page, "message")

    page.goto("/solicitudes/")
    open_finder(page)
    for label, longest in (("Ordenar por", "Actividad más reciente"), ("Estado", "Todos, también cerradas")):
        page.get_by_label(label).select_option(label=longest)
        clipped = page.get_by_label(label).evaluate(
            """(select) => {
                const style = getComputedStyle(select);
                const context = document.createElement("canvas").getContext("2d");
                context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                const text = context.measureText(select.selectedOptions[0].text).width;
                const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                return {text, room};
            }"""
        )
        assert clipped["text"] <= clipped["room"], f"«{label}» shows its choice cut: {clipped}"
