"""The administrators' outbox page: counts, a failed message with its error, and retrying it."""

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import expect

from accounts.tests.factories import AdminFactory
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from mail.models import OutboxMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def queue_failed_message(subject):
    with transaction.atomic():
        mail.get_connection("mail.outbox.OutboxBackend").send_messages(
            [mail.EmailMessage(subject, "Texto del mensaje.", to=["cliente@example.com"])]
        )
    message = OutboxMessage.objects.get(subject=subject)
    message.status = OutboxMessage.Status.FAILED
    message.attempts = 8
    message.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
    message.save()
    return message


def test_an_administrator_sees_a_failed_message_and_retries_it(page, log_in):
    queue_failed_message("Recibimos tu solicitud #42")
    log_in(AdminFactory(full_name="Laura Fernández"))

    page.goto("/correo/")
    expect(page.get_by_role("heading", level=1, name="Correo saliente")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Recibimos tu solicitud #42")
    expect(row).to_contain_text("Fallido")
    expect(row).to_contain_text("SMTPServerDisconnected")
    assert_no_horizontal_overflow(page)
    screenshot(page, "failed")

    row.get_by_role("button", name="Reintentar").click()
    row = page.get_by_role("row").filter(has_text="Recibimos tu solicitud #42")
    expect(row).to_contain_text("Enviado")
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert_no_horizontal_overflow(page)
    screenshot(page, "retried")
