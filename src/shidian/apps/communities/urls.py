from shidian.apps.communities.views import contacts, space

app_name = "communities"
urlpatterns = [*space.urlpatterns, *contacts.urlpatterns]
