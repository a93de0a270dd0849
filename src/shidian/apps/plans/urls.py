from django.urls import path

from shidian.apps.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_index, name="index"),
    path("programme/<int:programme_id>/", views.programme_plans, name="programme"),
    path("programme/<int:programme_id>/round/", views.round_open, name="round_open"),
    path("programme/<int:programme_id>/late/", views.programme_late, name="late"),
    path("<int:plan_id>/", views.plan_page, name="plan"),
    path("<int:plan_id>/attach/", views.plan_attach, name="attach"),
    path("<int:plan_id>/decide/", views.plan_decide, name="decide"),
    path("<int:plan_id>/revise/", views.plan_revise, name="revise"),
    path("<int:plan_id>/progress/", views.plan_progress, name="progress"),
    path("<int:plan_id>/timeline/", views.plan_timeline, name="timeline"),
]
