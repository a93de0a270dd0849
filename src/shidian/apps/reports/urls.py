from shidian.apps.reports.views import calendars, definitions

app_name = "reports"
urlpatterns = [*definitions.urlpatterns, *calendars.urlpatterns]
