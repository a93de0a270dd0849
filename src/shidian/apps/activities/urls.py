from django.urls import path

from shidian.apps.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.school_calendar, name="calendar"),
    path("calendar.ics", views.school_ics, name="school_ics"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("semesters/new/", views.semester_new, name="semester_new"),
    path("community/<int:community_id>/", views.community_calendar, name="community"),
    path("community/<int:community_id>/calendar.ics", views.community_ics, name="community_ics"),
    path(
        "community/<int:community_id>/semester/<int:semester_id>/plan/",
        views.plan_semester,
        name="plan",
    ),
    path("<int:activity_id>/", views.activity_detail, name="detail"),
    path("<int:activity_id>/attend/", views.attend, name="attend"),
    path("<int:activity_id>/plan/", views.file_plan, name="file_plan"),
    path("<int:activity_id>/host/", views.set_host, name="set_host"),
    path("<int:activity_id>/files/", views.upload, name="upload"),
    path("<int:activity_id>/cancel/", views.cancel, name="cancel"),
]
