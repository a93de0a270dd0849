from django.urls import path

from shidian.apps.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="items"),
    path("programme/<int:programme_id>/", views.visit_list, name="visits"),
    path("programme/<int:programme_id>/new/", views.visit_create, name="visit_create"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/move/", views.visit_move, name="visit_move"),
    path("visits/<int:visit_id>/finding/", views.finding_add, name="finding_add"),
    path("visits/<int:visit_id>/notice/", views.visit_notice, name="visit_notice"),
    path("findings/<int:finding_id>/turn/", views.finding_turn, name="finding_turn"),
    path("photos/<int:finding_photo_id>/", views.photo_download, name="photo"),
    path("items/<int:rect_item_id>/", views.item_detail, name="item"),
    path("items/<int:rect_item_id>/answer/", views.item_answer, name="item_answer"),
    path("items/<int:rect_item_id>/verify/", views.item_verify, name="item_verify"),
    path("files/<int:rect_file_id>/", views.answer_file, name="answer_file"),
]
