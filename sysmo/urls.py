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
    path("", include("mail.urls")),
    path("", include("accounts.urls")),
    path("", include("topics.urls")),
    path("", include("sla.urls")),
    path("", include("satisfaction.urls")),
    path("", include("privacy.urls")),
    path("", home, name="home"),
    path("", include("tickets.urls")),
]

# Our pages, in the user's language, instead of Django's bare English ones (sysmo/errors.py).
handler400 = "sysmo.errors.bad_request"
handler403 = "sysmo.errors.permission_denied"
handler404 = "sysmo.errors.page_not_found"
handler500 = "sysmo.errors.server_error"
