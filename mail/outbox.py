"""The outbox: every email is a row written in the caller's transaction, delivered by a worker after commit.

Path of a message:
1. Django's mail API (send_mail, EmailMessage.send, allauth) reaches `OutboxBackend`, the EMAIL_BACKEND.
   It writes one `OutboxMessage` per email, with a Message-ID chosen now, in the caller's transaction.
   A rollback leaves no row: nothing is sent.
2. After commit, `enqueue()` asks Celery to run `deliver_due()`. With no REDIS_URL Celery runs it in
   process (eager); with Redis down the request does not wait: the periodic sweep delivers it later.
3. `deliver_due()` claims a batch (a lease: nobody else sends these rows until it expires), sends it over
   one connection of OUTBOX_DELIVERY_BACKEND (parsed from EMAIL_URL) and marks each row sent right after
   the server accepted it. A failure retries with exponential backoff, then leaves the row failed.
A worker killed between "accepted" and "marked sent" makes the only possible duplicate, with the same
Message-ID; a worker killed anywhere else loses nothing, the lease expires and another worker sends it.
"""

import base64
import logging
import smtplib
import time
import uuid
from datetime import timedelta
from email.utils import formatdate, make_msgid
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from mail.models import OutboxMessage

log = logging.getLogger(__name__)

Status = OutboxMessage.Status
# Errors about one message; any other error is about the connection and ends the batch.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


# --- Queueing ---------------------------------------------------------------------------------------


class OutboxBackend(BaseEmailBackend):
    """EMAIL_BACKEND: writes each message to the outbox in the current transaction; sends after commit."""

    def send_messages(self, email_messages):
        rows = [_to_row(message) for message in email_messages if message.recipients()]
        if not rows:
            return 0
        OutboxMessage.objects.bulk_create(rows)
        transaction.on_commit(enqueue)
        return len(rows)


def _message_id_domain():
    return urlparse(settings.SITE_URL).hostname or "localhost"


def _to_row(message):
    headers = {str(name): str(value) for name, value in message.extra_headers.items()}
    lowered = {name.lower(): name for name in headers}
    if "message-id" in lowered:
        message_id = headers.pop(lowered["message-id"])
    else:
        message_id = make_msgid(domain=_message_id_domain())
    headers["Message-ID"] = message_id
    if "date" not in lowered:
        headers["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
    if "auto-submitted" not in lowered:
        # RFC 3834: every email we send is automatic, so well-behaved auto-responders never answer it
        # (no loops with out-of-office replies), and our own inbound side refuses it if it comes back.
        headers["Auto-Submitted"] = "auto-generated"
    return OutboxMessage(
        message_id=message_id,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        subject=str(message.subject),
        body=str(message.body),
        content_subtype=message.content_subtype,
        alternatives=[[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        attachments=[_attachment_to_json(attachment) for attachment in message.attachments],
        headers=headers,
    )


def _attachment_to_json(attachment):
    if not isinstance(attachment, tuple):  # a MIMEBase object: nothing of ours sends one
        raise TypeError("The outbox stores attachments given as (filename, content, mimetype) only.")
    filename, content, mimetype = attachment
    data = content.encode() if isinstance(content, str) else bytes(content)
    return {"filename": filename, "content": base64.b64encode(data).decode("ascii"), "mimetype": mimetype}


def to_email_message(row):
    """The Django message a row stands for, with the Message-ID and Date it was given when queued."""
    message = EmailMultiAlternatives(
        subject=row.subject, body=row.body, from_email=row.from_email, to=row.to, cc=row.cc, bcc=row.bcc,
        reply_to=row.reply_to, headers=row.headers,
        alternatives=[(content, mimetype) for content, mimetype in row.alternatives],
    )
    message.content_subtype = row.content_subtype
    for attachment in row.attachments:
        message.attach(attachment["filename"], base64.b64decode(attachment["content"]), attachment["mimetype"])
    return message


# After a failed publish, skip the broker for a few seconds: a request sending several emails to a dead
# (or hung) Redis pays its timeout once, not once per email. The rows wait for the sweep.
BROKER_PAUSE_SECONDS = 5
_broker_paused_until = 0.0


def enqueue():
    """Ask a worker to deliver what is due. Never raises: with the broker down the sweep catches up."""
    global _broker_paused_until
    from mail.tasks import deliver_outbox

    if time.monotonic() < _broker_paused_until:
        return
    try:
        deliver_outbox.delay()
    except Exception:  # whatever the broker's failure, the request must succeed; the row is safe
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        log.warning("Outbox: could not reach the broker; the sweep will deliver the message later.", exc_info=True)


# --- Our own emails -----------------------------------------------------------------------------------


def absolute_url(viewname, *args, **kwargs):
    """A link for an email: SITE_URL plus the view's path."""
    return settings.SITE_URL + reverse(viewname, args=args, kwargs=kwargs)


def send_templated(to, template_prefix, context=None, language=None, from_email=None, headers=None,
                   reply_to=None):
    """Queue `email/<prefix>_subject.txt`, `_body.txt` and `_body.html` for a user (or an address).

    Rendered in the recipient's language (`language`, else the user's, else the site's), with
    `site_url` and `recipient` in the context. `headers` (e.g. mail.replies.thread_headers) and `reply_to`
    (a list of addresses) go on the message as given. Returns the message handed to the mail API.
    """
    message = templated(to, template_prefix, context, language, from_email, headers, reply_to)
    message.send()
    return message


def send_all(messages):
    """Hand several messages (from `templated`) to the mail API at once: the outbox writes them in one
    INSERT, in the caller's transaction."""
    if messages:
        get_connection().send_messages(messages)


def templated(to, template_prefix, context=None, language=None, from_email=None, headers=None, reply_to=None):
    """The message `send_templated` sends, not sent yet (see `send_all`)."""
    address = getattr(to, "email", to)
    language = language or getattr(to, "language", None) or settings.LANGUAGE_CODE
    context = {"site_url": settings.SITE_URL, "recipient": to if address is not to else None, **(context or {})}
    with translation.override(language):
        subject = " ".join(render_to_string(f"email/{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"email/{template_prefix}_body.txt", context)
        html = render_to_string(f"email/{template_prefix}_body.html", context)
    message = EmailMultiAlternatives(
        subject, text, from_email, [address], alternatives=[(html, "text/html")],
        headers={"Content-Language": language, **(headers or {})}, reply_to=reply_to,
    )
    return message


# --- Delivery -----------------------------------------------------------------------------------------


def _claimable(now):
    return OutboxMessage.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), status=Status.PENDING, next_attempt_at__lte=now
    )


def claim(limit, now=None):
    """Lease up to `limit` due messages to this caller: (token, rows). No two callers get the same row."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    due = _claimable(now).order_by("next_attempt_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: workers skip each other's rows instead of waiting for them.
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
            _lease(ids, token, now)
    else:
        # SQLite: one writer at a time; the UPDATE re-checks the conditions, so a row read by two workers
        # is leased by the first only.
        ids = list(due.values_list("id", flat=True)[:limit])
        _lease(ids, token, now)
    if not ids:
        return token, []
    return token, list(OutboxMessage.objects.filter(id__in=ids, lease_token=token).order_by("next_attempt_at", "id"))


def _lease(ids, token, now):
    if ids:
        _claimable(now).filter(id__in=ids).update(
            lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS), lease_token=token,
            attempts=F("attempts") + 1,
        )


def deliver_due(max_seconds=60, requeue=True):
    """Send due messages batch by batch until none is left or `max_seconds` passed; returns how many were sent.

    Out of time with more due, it queues itself again (`requeue`) instead of holding the worker.
    """
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < max_seconds:
        token, rows = claim(settings.OUTBOX_BATCH_SIZE)
        if not rows:
            return sent
        batch_sent, connection_failed = deliver_batch(token, rows)
        sent += batch_sent
        if connection_failed:  # the server is down: leave the rest for the next sweep
            return sent
    if requeue:
        enqueue()
    return sent


def deliver_batch(token, rows):
    """Send leased rows over one connection, each marked sent once accepted: (sent, connection_failed)."""
    backend = get_connection(settings.OUTBOX_DELIVERY_BACKEND, fail_silently=False)
    sent = 0
    try:
        backend.open()
    except Exception as exc:  # the connection failed: every row of the batch waits for its next attempt
        for row in rows:
            _retry_later(row, token, exc)
        return 0, True
    connection_failed = False
    try:
        for index, row in enumerate(rows):
            if timezone.now() >= row.lease_until:  # someone else may hold it by now: give the rest back
                _release(rows[index:], token)
                break
            try:
                message = to_email_message(row)
            except Exception as exc:  # a row that cannot be rebuilt is its own problem, not the connection's
                log.exception("Outbox: message %s cannot be built.", row.pk)
                _retry_later(row, token, exc)
                continue
            try:
                accepted = backend.send_messages([message])
                if not accepted:
                    raise smtplib.SMTPException("the connection refused the message")
            except MESSAGE_ERRORS as exc:
                _retry_later(row, token, exc)
            except Exception as exc:
                for rest in rows[index:]:
                    _retry_later(rest, token, exc)
                connection_failed = True
                break
            else:
                _mark_sent(row, token)
                sent += 1
    finally:
        try:
            backend.close()
        except Exception:  # closing a broken connection may fail too; nothing is left to do with it
            log.debug("Outbox: closing the delivery connection failed.", exc_info=True)
    return sent, connection_failed


def _mark_sent(row, token):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Don't wait for the disk: a worker killed now loses nothing (the commit is in PostgreSQL's
            # hands), and if PostgreSQL itself crashes the worst outcome is a re-send with the same
            # Message-ID. Saves a disk flush per message: 15-20% faster delivery here.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        updated = OutboxMessage.objects.filter(pk=row.pk, lease_token=token).update(
            status=Status.SENT, sent_at=timezone.now(), lease_until=None, lease_token="", last_error=""
        )
    if not updated:
        log.warning("Outbox: message %s was sent after its lease expired; it may go out twice.", row.pk)


def _describe(exc):
    """The error for the administrators' page: its kind and the server's words, never the credentials."""
    return f"{type(exc).__name__}: {exc}"[:1000]


def _retry_later(row, token, exc):
    now = timezone.now()
    fields = {"lease_until": None, "lease_token": "", "last_error": _describe(exc)}
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        fields["status"] = Status.FAILED
        log.error("Outbox: message %s failed after %s attempts: %s", row.pk, row.attempts, fields["last_error"])
    else:
        delay = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (row.attempts - 1), settings.OUTBOX_RETRY_MAX_SECONDS)
        fields["next_attempt_at"] = now + timedelta(seconds=delay)
        log.warning("Outbox: message %s not sent (attempt %s), retrying in %ss: %s",
                    row.pk, row.attempts, delay, fields["last_error"])
    OutboxMessage.objects.filter(pk=row.pk, lease_token=token).update(**fields)


def _release(rows, token):
    """Give back rows not tried in this batch, without counting an attempt."""
    OutboxMessage.objects.filter(pk__in=[row.pk for row in rows], lease_token=token).update(
        lease_until=None, lease_token="", attempts=F("attempts") - 1
    )


# --- Administration -----------------------------------------------------------------------------------


def retry(message_id):
    """Put a failed message back in the queue with fresh attempts; False if it was not failed."""
    updated = OutboxMessage.objects.filter(pk=message_id, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None, lease_token=""
    )
    if updated:
        transaction.on_commit(enqueue)
    return bool(updated)


def summary():
    """Counts by status and when the oldest pending message was queued, for the administrators' page."""
    counts = dict.fromkeys(Status.values, 0)
    for row in OutboxMessage.objects.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    oldest = OutboxMessage.objects.filter(status=Status.PENDING).aggregate(oldest=Min("created_at"))["oldest"]
    return {"counts": counts, "oldest_pending_at": oldest}


def send_test_message(user):
    """A test email to an administrator, to check the mail settings end to end."""
    return send_templated(
        user, "test_message", {"sent_on": timezone.localdate(), "outbox_url": absolute_url("mail:outbox")}
    )
