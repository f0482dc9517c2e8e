"""Celery tasks of accounts."""

from celery import shared_task

from accounts import submissions


@shared_task(ignore_result=True)
def purge_submission_claims():
    """Forget the keys of forms sent more than SUBMISSION_KEY_MAX_AGE_DAYS ago (accounts.submissions)."""
    return submissions.purge_expired()
