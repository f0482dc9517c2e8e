"""Periodic work of the tickets app (run by `celery -A sysmo worker -B`)."""

from celery import shared_task

from tickets import uploads


@shared_task(ignore_result=True)
def run_waiting_clock():
    """Remind clients and close requests that waited too long on them (tickets.services.run_waiting_clock)."""
    from tickets import services

    return services.run_waiting_clock()


@shared_task(ignore_result=True)
def run_sla_clock():
    """Warn the assignee (or the topic's operators) once at 80 % of a request's SLA and once at the breach
    (tickets.services.run_sla_clock)."""
    from tickets import services

    return services.run_sla_clock()


@shared_task(ignore_result=True)
def purge_pending_uploads():
    """Forget the files of forms abandoned after an error (older than PENDING_UPLOAD_MAX_AGE_HOURS)."""
    return uploads.purge_expired()
