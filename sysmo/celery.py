"""The Celery app. Configuration comes from the CELERY_* settings; tasks live in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sysmo.settings")

app = Celery("sysmo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
