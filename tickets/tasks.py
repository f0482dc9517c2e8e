"""Periodic work of the tickets app (run by `celery -A sysmo worker -B`)."""

from celery import shared_task

from tickets import uploads


@shared_task(ignore_result=True)
def purge_pending_uploads():
    """Forget the files of forms abandoned after an error (older than PENDING_UPLOAD_MAX_AGE_HOURS)."""
    return uploads.purge_expired()
