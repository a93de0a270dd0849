from django.urls import path

from shidian.apps.classgroups import views

app_name = "classgroups"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("upload/", views.upload_view, name="upload"),
    path("template.xlsx", views.template_view, name="template"),
    path("<int:class_list_id>/", views.detail_view, name="detail"),
    path("<int:class_list_id>/move/", views.move_view, name="move"),
    path("<int:class_list_id>/regroup/", views.regroup_view, name="regroup"),
    path("<int:class_list_id>/groups.xlsx", views.xlsx_view, name="xlsx"),
    path("<int:class_list_id>/seating.docx", views.docx_view, name="docx"),
    path("<int:class_list_id>/print/", views.print_view, name="print"),
    path("<int:class_list_id>/sheet/", views.sheet_start_view, name="sheet"),
    path("<int:class_list_id>/seating.pdf", views.sheet_pdf_view, name="sheet_pdf"),
    path("<int:class_list_id>/delete/", views.delete_view, name="delete"),
]
