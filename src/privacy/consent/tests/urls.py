"""The site's URLs plus two pages that only the tests need: one that sets cookies of every
category, and one that embeds a social widget and asks whether advertising is granted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.urls import include, path

WIDGET_PAGE = Template(
    '{% extends "base.html" %}{% load consent %}{% block content %}'
    '{% consent_widget "share" %}{% consent_granted "advertising" as ok %}<p id="granted">{{ ok }}</p>'
    "{% endblock %}"
)


def sets_cookies(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("cookies")
    response.set_cookie("django_language", "zh-hans")  # functionality
    response.set_cookie("_sw_pa", "1")  # performance
    response.set_cookie("IDE", "ad")  # advertising
    response.set_cookie("undeclared", "1")  # not the consent app's to judge
    return response


def widget_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(WIDGET_PAGE.render(RequestContext(request, {})))


urlpatterns = [
    path("test/cookies/", sets_cookies),
    path("test/widget/", widget_page),
    path("", include("pledge.urls")),
]
