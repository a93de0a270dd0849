from django.urls import path

from shidian.apps.indicators import views

app_name = "indicators"
urlpatterns: list = [
    path("", views.indicator_list, name="list"),
    path("new/", views.indicator_create, name="create"),
    path("coverage/", views.coverage, name="coverage"),
    path("balance/", views.balance_page, name="balance"),
    path("<int:indicator_id>/", views.indicator_pivot, name="pivot"),
]
