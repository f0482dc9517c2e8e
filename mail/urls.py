from django.urls import path

from mail import views

app_name = "mail"

urlpatterns = [
    path("correo/", views.outbox_list, name="outbox"),
    path("correo/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("correo/recibidos/", views.inbound_list, name="inbound"),
    path("correo/recibidos/<int:pk>/", views.inbound_detail, name="inbound_detail"),
    path("correo/<int:pk>/reintentar/", views.outbox_retry, name="outbox_retry"),
    path("correo/prueba/", views.outbox_test, name="outbox_test"),
]
