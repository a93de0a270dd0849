from django.urls import path

from shidian.apps.rollout import views

app_name = "rollout"
urlpatterns = [
    path("programmes/<int:programme_id>/", views.plan_list, name="list"),
    path("<int:rollout_id>/", views.plan_detail, name="detail"),
    path("<int:rollout_id>/pick/", views.pick, name="pick"),
    path("<int:rollout_id>/pair/", views.pair, name="pair"),
    path("<int:rollout_id>/lead/", views.lead, name="lead"),
    path("<int:rollout_id>/submit/", views.submit, name="submit"),
    path("<int:rollout_id>/decide/", views.decide, name="decide"),
    path("<int:rollout_id>/export/", views.export, name="export"),
]
