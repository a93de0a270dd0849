from django.urls import path

from shidian.apps.core import views, views_grants

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit, name="audit"),
    path("grants/", views_grants.grant_list, name="grants"),
    path("grants/<int:grant_id>/revoke/", views_grants.grant_revoke_view, name="grant_revoke"),
    path("healthz", views.healthz, name="healthz"),
]
