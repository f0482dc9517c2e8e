import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sysmo.settings")
application = get_asgi_application()

from sysmo.startup import check_static_files  # noqa: E402 (needs the settings loaded above)

check_static_files()
