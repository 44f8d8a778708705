from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orders.offerings import PROCESSES


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pledge/home.html", {"processes": PROCESSES})


def processes(request: HttpRequest) -> HttpResponse:
    return render(request, "pledge/processes.html", {"processes": PROCESSES})
