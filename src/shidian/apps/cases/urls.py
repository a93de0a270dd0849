from django.urls import path

from shidian.apps.cases import views, views_booklet

app_name = "cases"
urlpatterns = [
    path("", views.library, name="library"),
    path("<int:case_id>/", views.case_detail, name="case"),
    path("<int:case_id>/files/<int:case_file_id>/", views.case_file, name="case_file"),
    path("programmes/<int:programme_id>/", views.programme_cases, name="programme"),
    path("calls/<int:case_round_id>/", views.call_detail, name="call"),
    path("programmes/<int:programme_id>/booklets/", views_booklet.booklet_list, name="booklets"),
    path("booklets/<int:case_booklet_id>/", views_booklet.booklet_detail, name="booklet"),
    path("booklets/<int:case_booklet_id>/add/", views_booklet.booklet_add, name="booklet_add"),
    path("booklets/<int:case_booklet_id>/move/", views_booklet.booklet_move, name="booklet_move"),
    path(
        "booklets/<int:case_booklet_id>/remove/",
        views_booklet.booklet_remove,
        name="booklet_remove",
    ),
    path(
        "booklets/<int:case_booklet_id>/compile/",
        views_booklet.booklet_compile,
        name="booklet_compile",
    ),
    path("submissions/<int:case_submission_id>/", views.submission_page, name="submission"),
    path(
        "submissions/<int:case_submission_id>/attach/",
        views.submission_attach,
        name="submission_attach",
    ),
    path(
        "submissions/<int:case_submission_id>/decide/",
        views.submission_decide,
        name="submission_decide",
    ),
    path(
        "submissions/<int:case_submission_id>/opinion/",
        views.submission_opinion,
        name="submission_opinion",
    ),
    path(
        "submissions/<int:case_submission_id>/files/<int:case_evidence_id>/",
        views.submission_file,
        name="submission_file",
    ),
]
