from django.urls import path

from shidian.apps.activities import views, views_dashboard, views_filings

app_name = "activities"
urlpatterns = [
    path("", views.school_calendar, name="calendar"),
    path("calendar.ics", views.school_ics, name="school_ics"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard.xlsx", views_dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    path("semesters/new/", views_dashboard.semester_new, name="semester_new"),
    path(
        "semesters/<int:semester_id>/filings/",
        views_filings.semester_open_filings,
        name="semester_filings",
    ),
    path("filings/<int:filing_id>/", views_filings.filing_page, name="filing"),
    path("filings/<int:filing_id>/decide/", views_filings.filing_decide, name="filing_decide"),
    path("filings/<int:filing_id>/attach/", views_filings.filing_attach, name="filing_attach"),
    path(
        "filings/<int:filing_id>/files/<int:evidence_id>/",
        views_filings.filing_file,
        name="filing_file",
    ),
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
    path("<int:activity_id>/files/<int:activity_file_id>/", views.file_download, name="file"),
]
