from django.urls import path

from shidian.apps.evaluation import views, views_annual

app_name = "evaluation"
urlpatterns = [
    path("programmes/<int:programme_id>/", views.evaluation_page, name="programme"),
    path("programmes/<int:programme_id>/panel.xlsx", views.evaluation_panel, name="panel"),
    path("programmes/<int:programme_id>/annual/", views_annual.annual_page, name="annual"),
    path(
        "programmes/<int:programme_id>/annual/<int:document_id>/report.docx",
        views_annual.annual_docx,
        name="annual_docx",
    ),
    path(
        "programmes/<int:programme_id>/annual/<int:document_id>/report.pdf",
        views_annual.annual_pdf,
        name="annual_pdf",
    ),
]
