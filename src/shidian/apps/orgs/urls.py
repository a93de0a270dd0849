from django.urls import path

from shidian.apps.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("<int:unit_id>/move/", views.unit_move_view, name="move"),
    path("pick/", views.unit_pick, name="pick"),
    path("export.xlsx", views.unit_export, name="export"),
    path("template.xlsx", views.unit_template, name="template"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:batch_id>/", views.import_review, name="import_review"),
    path("import/<int:batch_id>/apply/", views.import_apply_view, name="import_apply"),
]
