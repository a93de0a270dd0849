from django.urls import path

from shidian.apps.runs import views

app_name = "runs"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("<int:run_id>/", views.run_detail, name="detail"),
    path("<int:run_id>/card/", views.run_card, name="card"),
    path("<int:run_id>/cancel/", views.run_cancel, name="cancel"),
    path("<int:run_id>/retry/", views.run_retry, name="retry"),
    path("<int:run_id>/files/<int:file_id>/", views.run_file, name="file"),
]
