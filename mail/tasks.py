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
