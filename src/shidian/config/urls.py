"""Root URL configuration: one include per app, every app under its own prefix."""

from django.urls import include, path

from shidian.apps.api.api import api as api_v1

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shidian.apps.core.urls")),
    path("accounts/", include("shidian.apps.accounts.urls")),
    path("units/", include("shidian.apps.orgs.urls")),
    path("documents/", include("shidian.apps.documents.urls")),
    path("standards/", include("shidian.apps.standards.urls")),
    path("notifications/", include("shidian.apps.notifications.urls")),
    path("campaigns/", include("shidian.apps.campaigns.urls")),
    path("programmes/", include("shidian.apps.programmes.urls")),
    path("selections/", include("shidian.apps.selection.urls")),
    path("plans/", include("shidian.apps.plans.urls")),
    path("reports/", include("shidian.apps.reports.urls")),
    path("supervision/", include("shidian.apps.supervision.urls")),
    path("indicators/", include("shidian.apps.indicators.urls")),
    path("inspections/", include("shidian.apps.inspections.urls")),
    path("midterm/", include("shidian.apps.midterm.urls")),
    path("evaluation/", include("shidian.apps.evaluation.urls")),
    path("acceptance/", include("shidian.apps.acceptance.urls")),
    path("communities/", include("shidian.apps.communities.urls")),
    path("formations/", include("shidian.apps.formations.urls")),
    path("activities/", include("shidian.apps.activities.urls")),
    path("help/", include("shidian.apps.helprequests.urls")),
    path("classes/", include("shidian.apps.classgroups.urls")),
    path("commendations/", include("shidian.apps.commendations.urls")),
    path("rollout/", include("shidian.apps.rollout.urls")),
    path("cases/", include("shidian.apps.cases.urls")),
    path("runs/", include("shidian.apps.runs.urls")),
    path("exchange/", include("shidian.apps.exchange.urls")),
    path("api/v1/", api_v1.urls),
    path("api/", include("shidian.apps.api.urls")),
]
