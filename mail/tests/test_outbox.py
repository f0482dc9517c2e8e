"""The outbox in process: queueing, the embedded mode (no broker), claims, backoff, allauth's emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import AdminFactory, UserFactory
from mail import outbox
from mail.models import OutboxMessage
from mail.tests.conftest import SMTP_BACKEND
from mail.tests.smtp import free_port

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class Rollback(Exception):
    pass


@pytest.fixture
def deliver_to(outbox_mail):
    """Deliver through the SMTP backend to a given server (the embedded mode: no REDIS_URL, tasks in process)."""

    def point_at(server_or_port):
        outbox_mail.OUTBOX_DELIVERY_BACKEND = SMTP_BACKEND
        outbox_mail.EMAIL_HOST = "127.0.0.1"
        outbox_mail.EMAIL_PORT = getattr(server_or_port, "port", server_or_port)
        outbox_mail.EMAIL_TIMEOUT = 2

    return point_at


def test_without_a_broker_mail_is_delivered_in_process_after_commit_and_not_after_rollback(
    deliver_to, smtp_server, django_capture_on_commit_callbacks
):
    deliver_to(smtp_server)
    user = UserFactory(language="en")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Rollback), transaction.atomic():
        outbox.send_test_message(user)
        raise Rollback
    assert callbacks == []
    assert not OutboxMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        outbox.send_test_message(user)
        assert smtp_server.raw == []  # nothing leaves before the commit
    row = OutboxMessage.objects.get()
    assert row.status == Status.SENT
    assert row.attempts == 1
    assert smtp_server.counts() == {row.message_id: 1}
    received = smtp_server.received[0]
    assert received.get_body(("plain",)) is not None
    assert '<html lang="en">' in received.get_body(("html",)).get_content()


def test_the_message_id_is_chosen_once_and_kept_when_the_message_is_sent_again(deliver_to, smtp_server):
    deliver_to(smtp_server)
    message = EmailMultiAlternatives("Asunto", "Texto", to=["a@example.com"], cc=["b@example.com"],
                                     bcc=["c@example.com"], reply_to=["d@example.com"], headers={"X-Ticket": "7"})
    message.attach_alternative("<p>Texto</p>", "text/html")
    message.attach("informe.txt", "contenido", "text/plain")
    message.send()
    row = OutboxMessage.objects.get()
    assert row.message_id.endswith("@testserver>")  # the domain of SITE_URL (sysmo/settings_test.py)
    outbox.deliver_due()
    OutboxMessage.objects.filter(pk=row.pk).update(status=Status.PENDING)  # as if the worker died before marking
    outbox.deliver_due()

    assert smtp_server.counts() == {row.message_id: 2}
    first, second = smtp_server.received
    assert first["Date"] == second["Date"]
    assert first["X-Ticket"] == "7"
    assert first["Reply-To"] == "d@example.com"
    assert first["Cc"] == "b@example.com"
    assert "Bcc" not in first
    assert [part.get_filename() for part in first.iter_attachments()] == ["informe.txt"]
    assert first.get_body(("html",)).get_content().strip() == "<p>Texto</p>"


def test_two_workers_never_claim_the_same_message_and_an_expired_lease_is_claimed_again(outbox_mail, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    for n in range(5):
        send_mail(f"Aviso {n}", "Cuerpo", None, [f"c{n}@example.com"])
    _, first = outbox.claim(3)
    _, second = outbox.claim(3)
    _, third = outbox.claim(3)
    assert len(first) == 3
    assert len(second) == 2
    assert third == []
    assert not {row.pk for row in first} & {row.pk for row in second}

    later = timezone.now() + timedelta(seconds=61)
    _, again = outbox.claim(10, now=later)
    assert len(again) == 5
    assert {row.attempts for row in again} == {2}


def test_failures_back_off_exponentially_then_fail_with_the_error(deliver_to, settings):
    deliver_to(free_port())  # nothing listens there: SMTP is down
    settings.OUTBOX_RETRY_BASE_SECONDS = 10
    settings.OUTBOX_MAX_ATTEMPTS = 4
    send_mail("Aviso", "Cuerpo", None, ["cliente@example.com"])
    row = OutboxMessage.objects.get()

    delays = []
    for _ in range(3):
        before = timezone.now()
        outbox.deliver_due()
        row.refresh_from_db()
        assert row.status == Status.PENDING
        delays.append(round((row.next_attempt_at - before).total_seconds()))
        assert outbox.deliver_due() == 0  # not due yet: untouched
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    outbox.deliver_due()
    row.refresh_from_db()

    assert delays == [10, 20, 40]
    assert row.status == Status.FAILED
    assert row.attempts == 4
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.lease_until is None


def test_the_retry_of_a_failed_message_delivers_it_after_commit(
    deliver_to, smtp_server, django_capture_on_commit_callbacks
):
    deliver_to(smtp_server)
    send_mail("Aviso", "Cuerpo", None, ["cliente@example.com"])
    row = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=row.pk).update(status=Status.FAILED, attempts=8, last_error="SMTPException: x")
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry(row.pk)
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.attempts == 1
    assert row.last_error == ""
    assert not outbox.retry(row.pk)  # only failed messages go back to the queue
    assert smtp_server.counts() == {row.message_id: 1}


@pytest.mark.parametrize("language", ["en", "es-ar"])
def test_allauth_emails_are_multipart_and_in_the_recipients_language(
    client, outbox_mail, django_capture_on_commit_callbacks, language
):
    outbox_mail.OUTBOX_DELIVERY_BACKEND = LOCMEM_BACKEND
    user = UserFactory(language=language)
    other = "es-ar" if language == "en" else "en"  # the request's language must not matter
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE=other)

    row = OutboxMessage.objects.get()
    assert row.status == Status.SENT
    (message,) = mail.outbox
    with translation.override(language):  # our subject (templates/account/email/), in their language
        assert message.subject.endswith(translation.gettext("Elegí una contraseña nueva"))
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<html lang="{language}">' in html
    assert "/accounts/password/reset/key/" in message.body
    assert 'href="http://testserver/accounts/password/reset/key/' in html


def test_the_administrators_test_message_goes_out_in_process(client, outbox_mail, django_capture_on_commit_callbacks):
    outbox_mail.OUTBOX_DELIVERY_BACKEND = LOCMEM_BACKEND
    admin = AdminFactory()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mail:outbox_test"))
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [admin.email]
    assert OutboxMessage.objects.get().status == Status.SENT
