from django.urls import path

from shidian.apps.helprequests import views

app_name = "helprequests"
urlpatterns = [
    path("mine/", views.my_requests, name="mine"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("community/<int:community_id>/", views.community_requests, name="community"),
    path("community/<int:community_id>/new/", views.request_new, name="new"),
    path("<int:help_request_id>/", views.request_detail, name="detail"),
    path("<int:help_request_id>/act/", views.request_act, name="act"),
    path("attachments/<int:help_attachment_id>/", views.attachment_download, name="attachment"),
]
