from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("solicitudes/", views.inbox, name="inbox"),
    path("solicitudes/<int:number>/", views.detail, name="detail"),
]
