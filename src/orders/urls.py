"""Quote and order pages, included at /orders/ under the "orders" namespace."""

from __future__ import annotations

from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("quote/", views.quote_new, name="quote"),
    path("<uuid:order_id>/", views.order_detail, name="detail"),
    path("<uuid:order_id>/price/", views.quote_price, name="price"),
    path("<uuid:order_id>/place/", views.order_place, name="place"),
    path("<uuid:order_id>/advance/", views.order_advance, name="advance"),
    path("<uuid:order_id>/cancel/", views.order_cancel, name="cancel"),
    path("<uuid:order_id>/files/<uuid:file_id>/", views.file_download, name="file"),
]
