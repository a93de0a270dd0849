from django.urls import path

from shidian.apps.commendations import views

app_name = "commendations"
urlpatterns = [
    path("programmes/<int:programme_id>/", views.commendation_list, name="list"),
    path("<int:commendation_id>/", views.commendation_detail, name="detail"),
    path("<int:commendation_id>/nominate/", views.nominate, name="nominate"),
    path("<int:commendation_id>/submit/", views.submit, name="submit"),
    path("<int:commendation_id>/decide/", views.decide, name="decide"),
    path("<int:commendation_id>/export/", views.export, name="export"),
    path("nominations/<int:nomination_id>/", views.nomination_decide, name="nomination_decide"),
]
