from django.urls import path

from satisfaction import views

app_name = "satisfaction"

urlpatterns = [
    path("encuesta/<str:token>/", views.survey, name="survey"),
    path("encuesta/<str:token>/gracias/", views.thanks, name="thanks"),
]
