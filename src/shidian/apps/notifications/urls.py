from django.urls import path

from shidian.apps.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("read/", views.mark_read, name="read"),
    path("<int:notification_id>/read/", views.mark_one_read, name="read_one"),
    path("<int:notification_id>/open/", views.open_one, name="open"),
    path("settings/", views.preferences, name="settings"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/new/", views.webhook_create, name="webhook_create"),
    path("webhooks/<int:endpoint_id>/", views.webhook_detail, name="webhook"),
    path("webhooks/<int:endpoint_id>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<int:endpoint_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/deliveries/<int:delivery_id>/retry/",
        views.delivery_retry,
        name="delivery_retry",
    ),
]
