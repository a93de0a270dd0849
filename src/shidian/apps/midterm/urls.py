from django.urls import path

from shidian.apps.midterm import views

app_name = "midterm"
urlpatterns = [
    path("programmes/<int:programme_id>/", views.midterm_list, name="list"),
    path("programmes/<int:programme_id>/new/", views.midterm_create, name="create"),
    path("<int:midterm_id>/", views.midterm_detail, name="detail"),
    path("<int:midterm_id>/items/", views.midterm_items, name="items"),
    path("<int:midterm_id>/export/", views.midterm_export, name="export"),
    path("sheets/<int:sheet_id>/", views.school_report, name="school"),
]
