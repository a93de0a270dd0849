app_name = "classgroups"
urlpatterns: list = []
