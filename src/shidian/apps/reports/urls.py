from shidian.apps.reports.views import calendars, completeness, definitions, filing

app_name = "reports"
urlpatterns = [
    *definitions.urlpatterns,
    *calendars.urlpatterns,
    *filing.urlpatterns,
    *completeness.urlpatterns,
]
