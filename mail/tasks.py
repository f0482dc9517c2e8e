"""Celery tasks of the outbox. Both only deliver what the database says is due, so running one twice,
late, or after a lost task message is harmless."""

from celery import shared_task

from mail import outbox

EMBEDDED_SECONDS = 3


@shared_task(bind=True, ignore_result=True)
def deliver_outbox(self):
    """Deliver due messages; queued after each commit that wrote mail."""
    if self.request.is_eager:
        # Embedded mode (no REDIS_URL): this runs inside the request that sent the mail, so a backlog
        # (after an SMTP outage) is worked off a few seconds per request, not all at once.
        outbox.deliver_due(max_seconds=EMBEDDED_SECONDS, requeue=False)
    else:
        outbox.deliver_due()


@shared_task(ignore_result=True)
def sweep_outbox():
    """Deliver what the after-commit task missed: Redis was down, a worker died, a retry came due."""
    outbox.deliver_due()


@shared_task(ignore_result=True)
def fetch_inbound():
    """Read the IMAP mailbox, when INBOUND_IMAP_URL is set. A server that cannot be reached is tried again at
    the next beat: nothing is lost (mail.fetching)."""
    from django.conf import settings

    from mail import fetching, inbound

    if not settings.INBOUND_IMAP_URL:
        inbound.process_received()  # what `receive_mail` stored while processing failed, if anything
        return
    try:
        fetching.fetch()
    except Exception:  # the server is down: log it, the next beat tries again
        fetching.log.warning("Inbound: the IMAP mailbox could not be read; trying again later.", exc_info=True)
