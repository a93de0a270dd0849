from django.urls import path

from shidian.apps.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("programmes/<int:programme_id>/", views.evaluation_page, name="programme"),
    path("programmes/<int:programme_id>/panel.xlsx", views.evaluation_panel, name="panel"),
]
