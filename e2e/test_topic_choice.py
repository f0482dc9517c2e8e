"""Choosing a topic: its description (written by administrators) shows as the client picks it."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_chosen_topic_says_what_it_is_for(page, log_in):
    operator = OperatorFactory()
    TopicFactory(name="Facturación", description="Facturas, notas de crédito y pagos.", operators=[operator])
    TopicFactory(name="Soporte técnico", description="Impresoras, correo, VPN y sistemas.", operators=[operator])
    log_in(verified(ClientFactory()))
    page.goto("/solicitudes/nueva/")
    shown = page.locator("#topic-description")
    expect(shown).to_be_hidden()
    page.get_by_label("Temática").select_option(label="Soporte técnico")
    expect(shown).to_be_visible()
    expect(shown).to_have_text("Impresoras, correo, VPN y sistemas.")
    page.get_by_label("Temática").select_option(label="Facturación")
    expect(shown).to_have_text("Facturas, notas de crédito y pagos.")
    expect(page.get_by_role("complementary", name="¿Cuál elegir?")).to_contain_text("Impresoras, correo")
    assert_no_horizontal_overflow(page)
    screenshot(page, "described")
