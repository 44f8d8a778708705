"""The project's URLs plus the benchmarks' baseline view (bench.settings uses this)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from pledge.urls import urlpatterns as project_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the baseline for pages and the consent check."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench-minimal"), *project_urlpatterns]
