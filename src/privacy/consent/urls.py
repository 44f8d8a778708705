from django.urls import path

from privacy.consent import views

app_name = "consent"

urlpatterns = [
    path("consent/", views.settings_page, name="settings"),
    path("consent/report/", views.report, name="report"),
    path("consent/open/<str:token>.gif", views.email_open, name="email-open"),
]
