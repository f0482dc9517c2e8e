"""Forms that are safe to send twice: every write form carries a key, and a key writes once.

Why: a network retry, a double click without JavaScript, or "back" and send again POST the same form
twice. Without this the second POST replies twice, emails twice, writes a second event.

How it works
- Every `<form method="post">` of the app carries `{% submission_key %}` next to `{% csrf_token %}` (a
  template builtin, see TEMPLATES in settings): a hidden `submission_key` field with a random UUID, new at
  each render. `{% submission_key form %}` renders the key of a bound form instead, so a form that came back
  with an error is re-rendered with the key it was sent with (the other forms of that page get new keys: a
  key is one render of one form). A form may own its key (an attribute `submission_key`): the forms with
  files do, because the files kept after an error wait under that key (tickets.forms.AttachmentsForm).
- `SubmissionMiddleware` acts on authenticated POSTs that carry a valid key. It runs the view inside one
  transaction and, before the view and after the CSRF check, inserts a `SubmissionClaim` (user, key),
  unique. Then:
    * the view answers with a redirect: the claim stays, with the redirect's location, and commits with the
      write itself;
    * the view answers anything else (a form re-rendered with its errors, 403, 404…): the claim is deleted
      and the rest commits as the view left it (e.g. the files kept for the next try), so the corrected
      form can be sent with the same key;
    * the view fails (5xx, or an exception): everything rolls back, the claim with it; nothing was written,
      the same form may be sent again.
  A second POST with a claimed key never reaches the view: the insert fails and the answer is a redirect to
  where the first one landed, with one info message ("nothing was done twice"), not the first success
  message again. If the first is still running, PostgreSQL makes the second insert wait for it (the unique
  index), then answers as above; SQLite has one writer at a time, so the second waits for the write lock.
- A resend is recognised by its key alone, not by its content: one render of one form writes at most once.
  A page kept by the browser (back button) and sent again, even edited, is answered as a resend, with the
  notice, so the person sees that nothing was done; reloading the page gives new keys.
- Claims older than SUBMISSION_KEY_MAX_AGE_DAYS are deleted by `purge_expired` (Celery beat task
  `accounts.tasks.purge_submission_claims`, or `manage.py purge_submission_claims` from cron). A form
  resent after that is treated as new.

What is not covered, and why
- Anonymous forms (login, sign-up, password reset request and the reset link's form) are allauth's; they
  carry no key and the middleware ignores anonymous POSTs. Logging out and the language switch are
  harmless to repeat. Django's /admin/ pages carry no key either.
- A POST without a key (a script, an old page) is served as before, unprotected.
- Views that stream or send a file are not redirects: their claim is released, so they are not deduplicated
  (no write form of the app answers that way).
- Request creation keeps its own guard too: `Ticket.submission_key` (unique per requester) holds the same
  key, so `tickets.services.create` is idempotent for callers that are not a web form; the middleware
  answers a resent creation form before the view runs.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.models import SubmissionClaim

FIELD = "submission_key"
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def new_key():
    return uuid.uuid4()


def parse(value):
    """The UUID in `value`, or None if it is missing or not a UUID."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def posted_key(data):
    """The key a form was sent with (`data` is request.POST or a form's data), or None."""
    if not data or not hasattr(data, "get"):
        return None
    return parse(data.get(FIELD))


def key_for(form=None):
    """The key to render: the form's own, else the one it was sent with, else a new one."""
    own = getattr(form, "submission_key", None)
    if own:
        return own
    if form is not None and getattr(form, "is_bound", False):
        return posted_key(form.data) or new_key()
    return new_key()


def hidden_input(key):
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key)


class _Submission:
    def __init__(self, key):
        self.key = key
        self.claim = None


class SubmissionMiddleware:
    """Runs a keyed POST's view once per (user, key); see the module docstring. Goes after the
    authentication, messages and CSRF middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self._key_of(request)
        if key is None:
            return self.get_response(request)
        request._submission = submission = _Submission(key)
        with transaction.atomic():
            response = self.get_response(request)
            self._settle(submission, response)
        return response

    @staticmethod
    def _key_of(request):
        if request.method != "POST":
            return None
        key = posted_key(request.POST)
        if key is None or not request.user.is_authenticated:
            return None
        return key

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Here, not in __call__: the CSRF check has passed (it answers before us when it fails).
        submission = getattr(request, "_submission", None)
        if submission is None:
            return None
        try:
            with transaction.atomic():  # a savepoint: a failed insert must not spoil the outer transaction
                submission.claim = SubmissionClaim.objects.create(user=request.user, key=submission.key)
        except IntegrityError:
            return self._resent(request, submission.key)
        return None

    @staticmethod
    def _settle(submission, response):
        claim = submission.claim
        if claim is None:
            return  # a resend (answered without the view), or the view never ran
        if response.status_code >= 500:
            transaction.set_rollback(True)  # the write failed half-way: undo all of it, the key with it
        elif response.status_code in REDIRECTS and response.has_header("Location"):
            claim.location = response["Location"]
            claim.save(update_fields=["location"])
        else:
            claim.delete()

    @staticmethod
    def _resent(request, key):
        claim = SubmissionClaim.objects.filter(user=request.user, key=key).first()
        location = claim.location if claim and claim.location else resolve_url(settings.LOGIN_REDIRECT_URL)
        messages.info(request, _("Ya habíamos recibido ese formulario: no se hizo nada dos veces."),
                      fail_silently=True)
        return HttpResponseRedirect(location)


def purge_expired(now=None):
    """Delete the claims older than SUBMISSION_KEY_MAX_AGE_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SUBMISSION_KEY_MAX_AGE_DAYS)
    deleted, _by_model = SubmissionClaim.objects.filter(created_at__lt=cutoff).delete()
    return deleted
