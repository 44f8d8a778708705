from django.contrib import admin
from django.urls import include, path

from pledge import views
from pledge.api import api

urlpatterns = [
    # The JSON API first: its requests (consent choices, the busiest) resolve in one step.
    path("api/", api.urls),
    path("", views.home, name="home"),
    path("processes/", views.processes, name="processes"),
    path("account/", include("accounts.urls")),
    path("addresses/", include("addresses.urls")),
    path("support/", include("support.urls")),
    path("orders/", include("orders.urls")),
    path("payments/", include("payments.urls")),
    path("chat/", include("chat.urls")),
    path("marketing/", include("marketing.urls")),
    path("", include("privacy.policy.urls")),
    path("", include("privacy.consent.urls")),
    path("", include("privacy.rights.urls")),
    path("", include("weblog.urls")),
    path("admin/", admin.site.urls),
]
