from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("correo/", views.outbox_list, name="outbox"),
    path("correo/<int:pk>/reintentar/", views.outbox_retry, name="outbox_retry"),
    path("correo/prueba/", views.outbox_test, name="outbox_test"),
    path("perfil/", views.profile, name="profile"),
    path("usuarios/", views.user_list, name="user_list"),
    path("usuarios/<int:pk>/", views.user_detail, name="user_detail"),
    path("usuarios/<int:pk>/rol/", views.user_role, name="user_role"),
    path("usuarios/<int:pk>/desactivar/", views.user_deactivate, name="user_deactivate"),
    path("usuarios/<int:pk>/reactivar/", views.user_reactivate, name="user_reactivate"),
    path("usuarios/<int:pk>/restablecer-contrasena/", views.user_reset_password, name="user_reset_password"),
]
