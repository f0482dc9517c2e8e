from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="page"),
    path("exportar/<slug:table>.<slug:extension>", views.report_export, name="export"),
]
