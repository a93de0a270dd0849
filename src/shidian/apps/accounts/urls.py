from django.contrib.auth import views as auth_views
from django.urls import path

from shidian.apps.accounts import views, views_activation, views_auth, views_bulk

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # account management (programme office)
    path("", views.user_list, name="list"),
    path("users/<int:user_id>/", views.user_detail, name="detail"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate, name="deactivate"),
    path("users/<int:user_id>/reactivate/", views.user_reactivate, name="reactivate"),
    path("invite/", views.invite, name="invite"),
    path("invitations/", views.invitation_list, name="invitations"),
    path(
        "invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    # accounts in bulk with one-time activation codes (programme office)
    path("bulk/", views_bulk.bulk_create, name="bulk_create"),
    path("batches/", views_bulk.batch_list, name="batches"),
    path("batches/<int:batch_id>/", views_bulk.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/reissue/", views_bulk.batch_reissue, name="batch_reissue"),
    path("users/<int:user_id>/reissue/", views_bulk.user_reissue, name="user_reissue"),
    # first login with an activation code (public: the code is the credential)
    path("activate/", views_activation.activate, name="activate"),
    path("activate/password/", views_activation.activate_password, name="activate_password"),
    # the link in the invitation e-mail (public: the signed token is the credential)
    path("join/<str:token>/", views_auth.invitation_accept, name="invitation_accept"),
    # password reset by e-mail, password change while logged in
    path("password/reset/", views_auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views_auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("password/change/", views_auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
