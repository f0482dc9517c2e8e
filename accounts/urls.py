from django.urls import path, re_path

from accounts import views, views_companies

app_name = "accounts"

urlpatterns = [
    path("perfil/", views.profile, name="profile"),
    path("perfil/firma/", views.profile_signature, name="signature"),
    path("usuarios/", views.user_list, name="user_list"),
    path("usuarios/<int:pk>/", views.user_detail, name="user_detail"),
    path("usuarios/<int:pk>/rol/", views.user_role, name="user_role"),
    path("usuarios/<int:pk>/desactivar/", views.user_deactivate, name="user_deactivate"),
    path("usuarios/<int:pk>/reactivar/", views.user_reactivate, name="user_reactivate"),
    path("usuarios/<int:pk>/restablecer-contrasena/", views.user_reset_password, name="user_reset_password"),
    path("usuarios/<int:pk>/reenviar-invitacion/", views.user_resend_invitation, name="user_resend_invitation"),
    path("usuarios/<int:pk>/editar/", views.user_edit, name="user_edit"),
    path("usuarios/<int:pk>/correo/", views.user_email, name="user_email"),
    path("usuarios/<int:pk>/reenviar-verificacion/", views.user_resend_verification,
         name="user_resend_verification"),
    path("usuarios/<int:pk>/quitar-segundo-factor/", views.user_reset_second_factor,
         name="user_reset_second_factor"),
    path("verificacion/reenviar/", views.resend_verification, name="resend_verification"),
    path("empresas/", views_companies.company_list, name="company_list"),
    path("empresas/<int:pk>/", views_companies.company_detail, name="company_detail"),
    path("empresas/<int:pk>/nombre/", views_companies.company_rename, name="company_rename"),
    path("empresas/<int:pk>/responsable/", views_companies.company_contact, name="company_contact"),
    path("mi-empresa/", views_companies.my_company, name="my_company"),
    path("miembros/<int:pk>/aceptar/", views_companies.member_accept, name="member_accept"),
    path("miembros/<int:pk>/rechazar/", views_companies.member_refuse, name="member_refuse"),
    # allauth's reset-link shape: the user's id in base 36, a dash, the token (which has a dash of its own).
    re_path(r"^invitacion/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>[^/]+)/$", views.accept_invitation,
            name="accept_invitation"),
]
