from shidian.apps.formations import views

app_name = "formations"
urlpatterns = [*views.urlpatterns]
