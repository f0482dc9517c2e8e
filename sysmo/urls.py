from django.contrib import admin
from django.urls import include, path

from sysmo.health import health
from tickets.views import home

urlpatterns = [
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("informes/", include("reports.urls")),
    path("", include("accounts.urls")),
    path("", include("topics.urls")),
    path("", home, name="home"),
    path("", include("tickets.urls")),
]
