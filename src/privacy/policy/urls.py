from django.urls import path

from privacy.policy import views

app_name = "policy"

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
]
