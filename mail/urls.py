from django.urls import path

from mail import views

app_name = "mail"

urlpatterns = [
    path("correo/", views.outbox_list, name="outbox"),
    path("correo/<int:pk>/reintentar/", views.outbox_retry, name="outbox_retry"),
    path("correo/prueba/", views.outbox_test, name="outbox_test"),
]
