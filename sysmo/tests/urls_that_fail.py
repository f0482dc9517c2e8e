"""The app's URLs plus one view that fails, for the 500 page's tests."""

from django.urls import path

from sysmo.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [path("falla/", fail), *urlpatterns]
