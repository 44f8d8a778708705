"""Small views for the weblog tests: the request log is about the request, not the page."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import include, path


def page(request: HttpRequest, **kwargs: str) -> HttpResponse:
    return HttpResponse("<p>ok</p>", content_type="text/html; charset=utf-8")


def data(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def moved(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect("/page/")


urlpatterns = [
    path("moved/", moved),
    path("page/", page),
    path("reset/<str:uidb64>/<str:token>/", page),
    path("people/<str:name>/", page),
    path("data/", data),
    path("health", page),
    path("", include("weblog.urls")),
    path("", include("privacy.consent.urls")),
]
