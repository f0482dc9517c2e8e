"""Test settings: the real settings with a test key and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Links in emails are built from SITE_URL only (never the request's Host): the test client's host, so a test
# can follow them. Browser tests point it at their live server (e2e/conftest.py).
os.environ.setdefault("SITE_URL", "http://testserver")

from sysmo.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Off for the suite (administrators log in with force_login); accounts/tests/test_second_factor.py turns it on.
MFA_REQUIRED_FOR_ADMINISTRATORS = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private"  # noqa: F405
STORAGES["private"]["OPTIONS"]["location"] = str(PRIVATE_MEDIA_ROOT)  # noqa: F405
# Serve static files from the source folders, as in development: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the outbox tests start a Celery worker in another process that must open it.
    # One per test run, so two runs on this machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
# Tasks go to a queue of this run's own, so a worker of another run on the same Redis never takes them.
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("CELERY_QUEUE", f"test-{os.getpid()}")
