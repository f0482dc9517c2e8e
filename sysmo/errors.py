"""Error pages: ours, in the user's language, saying what went wrong and what to do (templates/4xx.html, 500.html).

Django's own are bare English pages ("Bad Request (400)"). These handlers (sysmo/urls.py, CSRF_FAILURE_VIEW)
render our layout; no exception text reaches the page. The request size limit lives here too: a body larger
than any valid form could be (every attachment at its largest) is refused before it is read.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.functional import SimpleLazyObject
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger(__name__)

MB = 1024 * 1024
# Room for a form's text fields and the multipart framing, on top of its files.
REQUEST_OVERHEAD_BYTES = 5 * MB


class RequestTooLarge(RequestDataTooBig):
    """The whole body (text and files) is larger than REQUEST_MAX_SIZE_MB (RequestSizeLimitMiddleware)."""


def request_max_size():
    """The largest body we read, in bytes: REQUEST_MAX_SIZE_MB if set, else the most a valid form carries."""
    if settings.REQUEST_MAX_SIZE_MB:
        return settings.REQUEST_MAX_SIZE_MB * MB
    return settings.ATTACHMENT_MAX_FILES * settings.ATTACHMENT_MAX_SIZE_MB * MB + REQUEST_OVERHEAD_BYTES


class RequestSizeLimitMiddleware:
    """Refuse a body larger than `request_max_size()` by its Content-Length, before anything reads it.

    Django limits the text of a form (DATA_UPLOAD_MAX_MEMORY_SIZE), not its files: without this a client could
    make us store any amount on disk before the form says the file is too large. Goes after LocaleMiddleware
    (the page is in the user's language) and before anything reads request.POST or FILES.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request_max_size():
            raise RequestTooLarge(f"Request body of {length} bytes exceeds {request_max_size()}.")
        return self.get_response(request)


def _reason(exception):
    """What the 400 page explains: which limit was passed, or None for a request we could not read."""
    if isinstance(exception, RequestTooLarge):
        return "request_too_large"
    if isinstance(exception, RequestDataTooBig):
        return "text_too_large"
    if isinstance(exception, TooManyFieldsSent):
        return "too_many_fields"
    if isinstance(exception, TooManyFilesSent):
        return "too_many_files"
    return None


def _limits():
    return {
        "max_text": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "max_fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        "max_upload_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        "max_request": request_max_size(),
        "max_file": settings.ATTACHMENT_MAX_SIZE_MB * MB,
        "max_files": settings.ATTACHMENT_MAX_FILES,
    }


def _with_user(request):
    """The error may come before AuthenticationMiddleware ran (a body too large is found by the CSRF check)."""
    if not hasattr(request, "user"):
        request.user = SimpleLazyObject(lambda: get_user(request)) if hasattr(request, "session") else AnonymousUser()
    return request


def _page(request, template_name, status, context=None):
    return render(_with_user(request), template_name, context or {}, status=status)


@requires_csrf_token
def bad_request(request, exception):
    """handler400: a request we refuse to read (too large, too many fields or files) or could not read."""
    if isinstance(exception, DisallowedHost):  # not one of our host names: not our page to show
        return defaults.bad_request(request, exception)
    return _page(request, "400.html", 400, {"reason": _reason(exception), **_limits()})


@requires_csrf_token
def permission_denied(request, exception):
    """handler403."""
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request, exception):
    """handler404: also a request the user may not see (it answers 404, so ids leak nothing)."""
    return _page(request, "404.html", 404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a form left open too long or cookies blocked."""
    return _page(request, "403_csrf.html", 403)


@requires_csrf_token
def server_error(request):
    """handler500: our layout with the user when we can get them; without them when that fails too."""
    try:
        return _page(request, "500.html", 500)
    except Exception:  # whatever broke the page may break this one (the database): render without the request
        log.warning("The 500 page could not be rendered with the request; rendering it without.", exc_info=True)
        try:
            return HttpResponseServerError(loader.render_to_string("500.html"))
        except Exception:
            log.exception("The 500 page could not be rendered at all.")
            return defaults.server_error(request)
