"""The project's URLs with the filing and completeness pages routed under /reports/, for this
branch's tests until the lead joins ``views.filing.urlpatterns`` and
``views.completeness.urlpatterns`` into reports/urls.py (then this module can go)."""

from django.urls import include, path

from shidian.apps.reports import urls as report_urls
from shidian.apps.reports.views import completeness, filing
from shidian.config import urls as root

_names = {p.name for p in report_urls.urlpatterns}
_mine = [p for p in filing.urlpatterns + completeness.urlpatterns if p.name not in _names]
urlpatterns = [p for p in root.urlpatterns if getattr(p.pattern, "_route", "") != "reports/"] + [
    path("reports/", include((list(report_urls.urlpatterns) + _mine, "reports")))
]
