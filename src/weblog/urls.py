from django.urls import path

from weblog import views

app_name = "weblog"

urlpatterns = [
    path("t/o/<str:token>.gif", views.email_open_pixel, name="email-open"),
]
