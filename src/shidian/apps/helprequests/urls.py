app_name = "helprequests"
urlpatterns: list = []
