from django.urls import path

from shidian.apps.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_generate, name="generate"),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/docx/", views.document_docx, name="docx"),
    path("<int:document_id>/pdf/", views.document_pdf, name="pdf"),
    path("<int:document_id>/retry-pdf/", views.document_retry_pdf, name="retry_pdf"),
    path("<int:document_id>/cancel/", views.document_cancel, name="cancel"),
    path("<int:document_id>/regenerate/", views.document_regenerate, name="regenerate"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:template_id>/", views.template_detail, name="template_detail"),
    path("templates/<int:template_id>/preview/", views.template_preview, name="template_preview"),
    path(
        "templates/<int:template_id>/rollback/<int:version_id>/",
        views.template_rollback,
        name="template_rollback",
    ),
    path("versions/<int:version_id>/download/", views.version_download, name="version_download"),
]
