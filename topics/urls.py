from django.urls import path

from topics import views

app_name = "topics"

urlpatterns = [
    path("tematicas/", views.topic_list, name="list"),
    path("tematicas/nueva/", views.topic_create, name="create"),
    path("tematicas/<int:pk>/", views.topic_edit, name="edit"),
    path("tematicas/<int:pk>/desactivar/", views.topic_deactivate, name="deactivate"),
    path("tematicas/<int:pk>/reactivar/", views.topic_reactivate, name="reactivate"),
    path("usuarios/<int:pk>/tematicas/", views.operator_topics, name="operator_topics"),
    path("usuarios/invitar/", views.invite, name="invite"),
]
