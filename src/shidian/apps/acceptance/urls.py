from django.urls import path

from shidian.apps.acceptance import views, views_assign, views_report

app_name = "acceptance"
urlpatterns = [
    path("programmes/<int:programme_id>/", views.acceptance_list, name="list"),
    path("programmes/<int:programme_id>/new/", views.acceptance_create, name="create"),
    path("<int:acceptance_id>/", views.acceptance_detail, name="detail"),
    path("<int:acceptance_id>/assign/", views_assign.acceptance_assign, name="assign"),
    path("<int:acceptance_id>/confirm/", views.acceptance_confirm, name="confirm"),
    path("<int:acceptance_id>/export/", views.acceptance_export, name="export"),
    path("reports/<int:report_id>/", views_report.report_page, name="report"),
    path("reports/<int:report_id>/attach/", views_report.report_attach, name="report_attach"),
    path("reports/<int:report_id>/return/", views_report.report_return, name="report_return"),
    path(
        "reports/<int:report_id>/files/<int:acceptance_file_id>/",
        views_report.report_file,
        name="report_file",
    ),
    path(
        "reports/<int:report_id>/files/<int:acceptance_file_id>/delete/",
        views_report.report_detach,
        name="report_detach",
    ),
    path("reports/<int:report_id>/score/", views_report.score_page, name="score"),
]
