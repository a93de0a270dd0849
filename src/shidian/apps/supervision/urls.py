from django.urls import path

from shidian.apps.supervision import views

app_name = "supervision"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("programme/<int:programme_id>/", views.table_list, name="list"),
    path("programme/<int:programme_id>/compute/", views.table_compute, name="compute"),
    path("programme/<int:programme_id>/cases/", views.case_list, name="cases"),
    path("tables/<int:league_table_id>/", views.table_detail, name="table"),
    path("tables/<int:league_table_id>/publish/", views.table_publish, name="publish"),
    path("tables/<int:league_table_id>/bulletin/", views.table_bulletin, name="bulletin"),
]
