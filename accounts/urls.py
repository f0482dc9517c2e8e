from django.urls import path, re_path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("perfil/", views.profile, name="profile"),
    path("usuarios/", views.user_list, name="user_list"),
    path("usuarios/<int:pk>/", views.user_detail, name="user_detail"),
    path("usuarios/<int:pk>/rol/", views.user_role, name="user_role"),
    path("usuarios/<int:pk>/desactivar/", views.user_deactivate, name="user_deactivate"),
    path("usuarios/<int:pk>/reactivar/", views.user_reactivate, name="user_reactivate"),
    path("usuarios/<int:pk>/restablecer-contrasena/", views.user_reset_password, name="user_reset_password"),
    path("usuarios/<int:pk>/reenviar-invitacion/", views.user_resend_invitation, name="user_resend_invitation"),
    path("usuarios/<int:pk>/editar/", views.user_edit, name="user_edit"),
    path("usuarios/<int:pk>/correo/", views.user_email, name="user_email"),
    # allauth's reset-link shape: the user's id in base 36, a dash, the token (which has a dash of its own).
    re_path(r"^invitacion/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>[^/]+)/$", views.accept_invitation,
            name="accept_invitation"),
]
