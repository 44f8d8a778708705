"""Account pages, included at /account/ under the "accounts" namespace."""

from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("register/", views.register, name="register"),
    path("register/thanks/", views.registered, name="registered"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("verify-again/", views.resend_verification, name="resend_verification"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/code/", views.second_factor_view, name="second_factor"),
    path("login/code/setup/", views.second_factor_setup, name="second_factor_setup"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", views.password_reset_complete, name="password_reset_complete"),
    path("email/", views.change_email, name="change_email"),
    path("email/confirm/<str:token>/", views.confirm_email_change, name="confirm_email_change"),
    path("password/", views.change_password, name="change_password"),
]
