from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacidad/", views.privacy_page, name="privacy"),
    path("mis-datos/", views.my_data, name="my_data"),
    path("mis-datos/descargar/", views.my_data_download, name="my_data_download"),
    path("mis-datos/eliminar/", views.my_data_delete, name="my_data_delete"),
    path("pedidos-de-eliminacion/", views.deletion_list, name="deletion_list"),
    path("pedidos-de-eliminacion/<int:pk>/cumplir/", views.deletion_honour, name="deletion_honour"),
]
