"""What arrives by email: stored once, then handed to the app that owns the conversation.

1. `store(raw, source)` keeps the message's bytes under its Message-ID (made from the bytes when it has
   none). A message fetched or piped twice is stored once: `created` says which.
2. `process(message)` decides, once (the row is locked and must still be «received»):
   - refused without an answer: too big, sent by a machine (RFC 3834 Auto-Submitted, Precedence,
     X-Autoreply, delivery reports: mail.parsing.automatic_reason), sent from our own address, or over
     INBOUND_RATE_LIMIT messages from that sender in the last hour;
   - an answer: a valid Reply-To token (mail.replies) among its recipients → the registered `answer`
     handler, given the token and the ParsedMessage;
   - a new conversation: written to the inbound address or one of its `+tag`s → the `start` handler.
   A handler returns what the message became (shown on /correo/) or raises Refused(reason, answer=…);
   `answer` names an email template sent to the sender, at most once a day per sender.
   Whatever a handler wrote is undone when it refuses or fails; the message stays, refused, with the reason.
   Processing a message is one transaction on the success path (lock, decide, write, mark processed).

mail imports none of our apps: tickets registers its handlers when it starts (tickets.apps).
"""

import logging
from contextlib import contextmanager
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mail import parsing, replies
from mail.models import InboundMessage
from mail.outbox import send_templated

log = logging.getLogger(__name__)
State = InboundMessage.State

_handlers = {}


class Refused(Exception):  # noqa: N818 (a decision, not a fault)
    """The message is not acted on. `reason` is for the administrators; `answer` is (template prefix,
    context) of an email to the sender, or None."""

    def __init__(self, reason, answer=None):
        super().__init__(reason)
        self.reason = str(reason)
        self.answer = answer


def register(*, answer, start):
    """Called once at start-up (AppConfig.ready) by the app that owns conversations.

    answer(token: replies.ReplyToken, message: parsing.ParsedMessage) -> str, an answer to a notice;
    start(tags: list[str], message) -> str, a message to the inbound address ("" tag) or its `+tag`s.
    """
    _handlers["answer"] = answer
    _handlers["start"] = start


def store(raw, source=""):
    """(InboundMessage, created) for the email's bytes: a message already stored is not stored again."""
    raw = bytes(raw)
    message_id = parsing.message_id_of(raw)
    existing = InboundMessage.objects.filter(message_id=message_id).first()
    if existing:
        return existing, False
    try:
        headers = parsing.parse_headers(raw)
        with transaction.atomic():
            return InboundMessage.objects.create(
                message_id=message_id, raw=raw, source=source, from_address=headers["from"][:254],
                subject=headers["subject"],
            ), True
    except IntegrityError:  # stored by someone else at the same moment
        return InboundMessage.objects.get(message_id=message_id), False


def receive(raw, source=""):
    """Store and process one message; returns (InboundMessage, created)."""
    message, created = store(raw, source)
    if created:
        message = process(message)
    return message, created


def process_received(limit=None):
    """Process every message still «received», oldest first; returns how many this call processed.

    Several callers at once (workers, cron and the beat) share the backlog: each takes the oldest message
    nobody holds (PostgreSQL's SKIP LOCKED), so none waits for another and none is processed twice.
    """
    count = 0
    with _commits_without_disk_wait():
        while limit is None or count < limit:
            if _process(None, skip_locked=True) is None:
                break
            count += 1
    return count


_session_commits_without_disk_wait = False


@contextmanager
def _commits_without_disk_wait():
    """PostgreSQL: the commits of a batch of processing need not wait for the disk (see `process`); set
    once for the connection, for the batch, instead of once per message."""
    global _session_commits_without_disk_wait
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    _session_commits_without_disk_wait = True
    try:
        yield
    finally:
        _session_commits_without_disk_wait = False
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _our_addresses():
    local, domain = replies.inbound_address()
    return {f"{local}@{domain}".lower(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
            parseaddr(settings.SERVER_EMAIL)[1].lower()}


def _is_ours(address):
    local, _at, domain = address.rpartition("@")
    return f"{local.partition('+')[0]}@{domain}".lower() in _our_addresses()


def process(message):
    """Act on a stored message once (see the module's docstring); returns it with its new state.

    The decision and everything the handler writes are one transaction; when the handler refuses or fails
    that transaction is undone whole and the refusal is written in a second one.
    """
    return _process(message.pk) or InboundMessage.objects.get(pk=message.pk)


def _process(pk, skip_locked=False):
    """`process` for the message `pk`, or with pk None for the oldest «received» one nobody holds; returns
    it, or None when there was none to process (already processed, or held by another worker)."""
    locked = False
    try:
        with transaction.atomic():
            message = _lock(pk, skip_locked)
            if message is None:
                return None
            pk, locked = message.pk, True
            message.result = _decide(message)
            message.state, message.processed_at = State.PROCESSED, timezone.now()
            message.save(update_fields=["state", "result", "processed_at"])
            return message
    except Refused as refusal:
        reason, answer = refusal.reason[:2000], refusal.answer
    except Exception as exc:  # a fault of ours: the message stays, refused, for an administrator to see
        if not locked:  # reading the message failed: nothing was decided
            raise
        log.exception("Inbound: message %s could not be processed.", pk)
        reason, answer = _("Error al procesarlo: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:500]}, None
    with transaction.atomic():
        message = _lock(pk, skip_locked=False)
        if message is None:  # another worker took it between the two transactions, and decided
            return InboundMessage.objects.get(pk=pk)
        message.state, message.reason, message.processed_at = State.REFUSED, reason, timezone.now()
        if answer and _may_answer(message):
            template, context = answer
            send_templated(message.from_address, template, context)
            message.answered = True
        message.save(update_fields=["state", "reason", "processed_at", "answered"])
    return message


def _lock(pk, skip_locked):
    """The message `pk` (None: the oldest one), locked until the transaction ends, if it is still «received»
    (and, with `skip_locked`, nobody else holds it); with how many messages its sender sent in the hour
    before it (`recent_from_sender`, for the rate limit), read in the same query."""
    if connection.vendor == "postgresql" and not _session_commits_without_disk_wait:
        # The message itself is already stored (durably): a crash that loses this commit leaves it
        # «received», with nothing of what processing wrote, and it is processed again. So this commit
        # need not wait for the disk (one flush less per message).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    # Written out: this runs once per message, and building it with the ORM (a subquery) cost more CPU
    # than the query itself.
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"
    if not connection.features.has_select_for_update:
        lock = ""  # SQLite: one writer at a time anyway
    table = connection.ops.quote_name(InboundMessage._meta.db_table)
    message = next(iter(InboundMessage.objects.raw(
        f"SELECT m.*, (SELECT COUNT(*) FROM {table} r WHERE r.from_address = m.from_address "  # noqa: S608
        f"AND r.received_at >= %s AND r.id <> m.id) AS recent_from_sender FROM {table} m "
        f"WHERE m.state = %s {'AND m.id = %s' if pk is not None else 'ORDER BY m.id LIMIT 1'}{lock}",
        [timezone.now() - timedelta(hours=1), State.RECEIVED, *([pk] if pk is not None else [])],
    )), None)
    return message


def _decide(message):
    raw = bytes(message.raw)
    if len(raw) > settings.INBOUND_MAX_BYTES:
        raise Refused(_("El mensaje pesa más de lo que aceptamos."))
    parsed = parsing.parse(raw)
    if parsed.automatic:
        raise Refused(_("Mensaje automático (%(why)s): no se procesa ni se responde.") % {"why": parsed.automatic})
    if not parsed.from_address or "@" not in parsed.from_address:
        raise Refused(_("El mensaje no dice quién lo envía."))
    if _is_ours(parsed.from_address):
        raise Refused(_("Lo envió nuestra propia dirección: no se procesa, para no entrar en un bucle."))
    # Counted by the stored sender (mail.parsing reads it the same way when storing), with the lock.
    if message.recent_from_sender >= settings.INBOUND_RATE_LIMIT:
        raise Refused(_("Demasiados mensajes de %(sender)s en la última hora (más de %(limit)s).") % {
            "sender": parsed.from_address, "limit": settings.INBOUND_RATE_LIMIT})
    if not _handlers:
        raise Refused(_("Nadie recibe correo en esta instalación."))
    token = replies.token_in(parsed.recipients)
    if token:
        return _handlers["answer"](token, parsed)
    tags = replies.tags_of(parsed.recipients)
    if start_tags := [tag for tag in tags if not replies.TOKEN_SHAPE.match(tag)]:
        return _handlers["start"](start_tags, parsed)
    if tags:
        raise Refused(_("La dirección de respuesta no es válida (firma incorrecta)."))
    raise Refused(_("No está dirigido a la dirección de entrada (%(address)s).") % {
        "address": settings.INBOUND_ADDRESS})


def _may_answer(message):
    """At most one answer a day to an address, never to ourselves nor to a machine (checked before)."""
    if not message.from_address or _is_ours(message.from_address):
        return False
    return not InboundMessage.objects.filter(
        from_address=message.from_address, answered=True, processed_at__gte=timezone.now() - timedelta(days=1),
    ).exists()
