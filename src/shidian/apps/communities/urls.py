from shidian.apps.communities.views import space

app_name = "communities"
urlpatterns = [*space.urlpatterns]
