from django.urls import path

from tickets import views, views_canned

app_name = "tickets"

urlpatterns = [
    path("solicitudes/", views.inbox, name="inbox"),
    path("solicitudes/nueva/", views.create, name="create"),
    path("solicitudes/acciones/", views.bulk, name="bulk"),
    path("solicitudes/<int:number>/", views.detail, name="detail"),
    path("solicitudes/<int:number>/responder/", views.reply, name="reply"),
    path("solicitudes/<int:number>/tomar/", views.take, name="take"),
    path("solicitudes/<int:number>/asignar/", views.assign, name="assign"),
    path("solicitudes/<int:number>/tematica/", views.change_topic, name="change_topic"),
    path("solicitudes/<int:number>/cerrar/", views.close, name="close"),
    path("solicitudes/<int:number>/reabrir/", views.reopen, name="reopen"),
    path("solicitudes/<int:number>/resuelta/", views.resolve, name="resolve"),
    path("solicitudes/<int:number>/prioridad/", views.set_priority, name="set_priority"),
    path("solicitudes/<int:number>/en-copia/agregar/", views.add_colleague, name="add_colleague"),
    path("solicitudes/<int:number>/en-copia/quitar/", views.remove_colleague, name="remove_colleague"),
    path("solicitudes/<int:number>/adjuntos/<int:attachment_id>/", views.download, name="download"),
    path("respuestas/", views_canned.answer_list, name="canned_list"),
    path("respuestas/nueva/", views_canned.answer_create, name="canned_create"),
    path("respuestas/<int:pk>/", views_canned.answer_edit, name="canned_edit"),
    path("respuestas/<int:pk>/borrar/", views_canned.answer_delete, name="canned_delete"),
]
