from django.urls import path

from shidian.apps.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<int:programme_id>/", views.programme_detail, name="detail"),
    path("<int:programme_id>/edit/", views.programme_edit, name="edit"),
    path("<int:programme_id>/sync/", views.programme_sync, name="sync"),
    path("<int:programme_id>/participants/", views.participant_list, name="participants"),
    path(
        "<int:programme_id>/participants/<int:participation_id>/",
        views.participation_detail,
        name="participation",
    ),
]
