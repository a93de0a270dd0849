from django.urls import path

from shidian.apps.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("<int:standard_id>/", views.standard_detail, name="detail"),
    path("versions/<int:version_id>/", views.version_detail, name="version"),
    path("versions/<int:version_id>/export/", views.version_export, name="export"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="publish"),
    path("versions/<int:version_id>/revise/", views.version_new_draft, name="revise"),
    path("versions/<int:version_id>/item/", views.version_item_edit, name="item_edit"),
    path("versions/<int:version_id>/compare/", views.version_compare, name="compare"),
]
