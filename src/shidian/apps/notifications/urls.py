from django.urls import path

from shidian.apps.notifications import views

app_name = "notifications"
urlpatterns = [
    path("read/", views.mark_read, name="read"),
]
