from django.urls import path

from marketing import views

app_name = "marketing"

urlpatterns = [
    path("subscription/", views.subscription, name="subscription"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
