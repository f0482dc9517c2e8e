from django.urls import path

from sla import views

app_name = "sla"

urlpatterns = [
    path("horario/", views.schedule, name="schedule"),
    path("horario/dias-no-laborables/", views.closed_day_add, name="closed_day_add"),
    path("horario/dias-no-laborables/<int:pk>/quitar/", views.closed_day_remove, name="closed_day_remove"),
    path("sla/", views.targets, name="targets"),
]
