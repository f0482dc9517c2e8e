"""The URLs of the server `manage.py bench_http` measures: the app's, plus the floor (sysmo/bench.py)."""

from django.urls import path

from sysmo.bench import floor
from sysmo.urls import handler400, handler403, handler404, handler500
from sysmo.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("__bench__/floor/", floor), *app_urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
