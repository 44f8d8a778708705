"""Support pages, included at /support/ under the "support" namespace."""

from __future__ import annotations

from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_new, name="new"),
    path("<uuid:ticket_id>/", views.ticket_detail, name="detail"),
    path("staff/", views.staff_queue_view, name="staff_queue"),
    path("staff/<uuid:ticket_id>/", views.staff_ticket, name="staff_ticket"),
    path("staff/<uuid:ticket_id>/close/", views.staff_close, name="staff_close"),
]
