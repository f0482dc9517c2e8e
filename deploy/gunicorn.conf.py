"""gunicorn's settings for Sysmo Tickets (deploy/sysmo-web.service runs `gunicorn -c deploy/gunicorn.conf.py`).

Every value can be changed with an environment variable of the same purpose (GUNICORN_*), see docs/deploy.md.
"""

import multiprocessing
import os

wsgi_app = "sysmo.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: a page is a few quick queries; 2 per core plus one is gunicorn's advice.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))  # nginx waits 60 s: the worker is recycled first
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (memory), with jitter so they do not all restart together
max_requests_jitter = 200
# X-Forwarded-* are believed from the proxy on this machine only (nginx in front, deploy/nginx.conf).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
