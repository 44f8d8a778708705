from django.urls import path

from privacy.rights import views

app_name = "rights"

urlpatterns = [
    path("privacy-center/", views.center, name="center"),
    path("privacy-center/r/<uuid:pk>/", views.status, name="status"),
    path("privacy-center/r/<uuid:pk>/verify/", views.verify, name="verify"),
    path("privacy-center/r/<uuid:pk>/resend/", views.resend, name="resend"),
    path("privacy-center/download/<str:token>/", views.download, name="download"),
    path("privacy-center/staff/", views.queue, name="queue"),
    path("privacy-center/staff/new/", views.log_request, name="log"),
    path("privacy-center/staff/r/<uuid:pk>/", views.detail, name="detail"),
    path("privacy-center/staff/r/<uuid:pk>/history/", views.history, name="history"),
    path("privacy-center/staff/r/<uuid:pk>/proof/", views.proof, name="proof"),
]
