from django.urls import path

from shidian.apps.campaigns import views, views_offline, views_review, views_sheet

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("reviews/", views_review.my_reviews, name="my_reviews"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/completeness/", views.campaign_completeness, name="completeness"),
    path("<int:campaign_id>/ranking/", views.campaign_ranking, name="ranking"),
    path("<int:campaign_id>/analysis/", views.campaign_analysis, name="analysis"),
    path("<int:campaign_id>/export/", views.campaign_export, name="export"),
    path("<int:campaign_id>/remind/", views.campaign_remind, name="remind"),
    path(
        "<int:campaign_id>/release-reviews/",
        views_review.campaign_release_reviews,
        name="release_reviews",
    ),
    path("sheets/<int:sheet_id>/", views_sheet.sheet_detail, name="sheet"),
    path("sheets/<int:sheet_id>/item/", views_sheet.sheet_item, name="sheet_item"),
    path("sheets/<int:sheet_id>/submit/", views_sheet.sheet_submit, name="submit"),
    path("sheets/<int:sheet_id>/return/", views_sheet.sheet_return, name="return"),
    path("sheets/<int:sheet_id>/accept/", views_sheet.sheet_accept, name="accept"),
    path("sheets/<int:sheet_id>/history/", views_sheet.sheet_history, name="history"),
    path("sheets/<int:sheet_id>/evidence/", views_sheet.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", views_sheet.evidence_download, name="evidence"),
    path("evidence/<int:evidence_id>/delete/", views_sheet.evidence_remove, name="evidence_delete"),
    path("sheets/<int:sheet_id>/workbook/", views_offline.sheet_workbook, name="workbook"),
    path("sheets/<int:sheet_id>/upload/", views_offline.sheet_upload, name="upload"),
    path("sheets/<int:sheet_id>/review/", views_review.sheet_review, name="review"),
]
