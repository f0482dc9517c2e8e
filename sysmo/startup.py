"""What must hold before the application serves a request with DEBUG off, said plainly instead of a 500.

Today: the static files are collected. With whitenoise's manifest storage every `{% static %}` looks the file
up in STATIC_ROOT/staticfiles.json; without it each page would fail. `check_static_files()` is called by the
WSGI/ASGI entry points (gunicorn refuses to start with the message) and by `manage.py check --deploy`.
"""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

MISSING_MANIFEST = (
    "The static files are not collected: {manifest} is missing. Run `manage.py collectstatic --noinput` "
    "(with the same settings) before starting the application server."
)


def static_files_problem():
    """None when the static files can be served; else what is wrong and what to run (a sentence in English)."""
    storage = storages["staticfiles"]
    if settings.DEBUG or not isinstance(storage, ManifestFilesMixin):
        return None
    if not storage.exists(storage.manifest_name):
        return MISSING_MANIFEST.format(manifest=storage.path(storage.manifest_name))
    return None


def check_static_files():
    """Raise ImproperlyConfigured (stops gunicorn's start) when the static files cannot be served."""
    problem = static_files_problem()
    if problem:
        raise ImproperlyConfigured(problem)


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_files_collected(app_configs, **kwargs):
    problem = static_files_problem()
    return [checks.Error(problem, id="sysmo.E001")] if problem else []
