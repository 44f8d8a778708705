"""Address book pages, included at /addresses/ under the "addresses" namespace."""

from __future__ import annotations

from django.urls import path

from addresses import views

app_name = "addresses"

urlpatterns = [
    path("", views.address_list, name="list"),
    path("new/", views.address_add, name="add"),
    path("<uuid:address_id>/edit/", views.address_edit, name="edit"),
    path("<uuid:address_id>/delete/", views.address_delete, name="delete"),
    path("<uuid:address_id>/default/<str:use>/", views.address_set_default, name="set_default"),
    path("staff/find-by-phone/", views.staff_phone_search, name="staff_search"),
]
