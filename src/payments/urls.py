"""Payment pages, included at /payments/ under the "payments" namespace."""

from __future__ import annotations

from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("orders/<uuid:order_id>/", views.pay, name="pay"),
    path("orders/<uuid:order_id>/card/", views.pay_card, name="pay_card"),
    path("orders/<uuid:order_id>/bank-transfer/", views.pay_bank_transfer, name="pay_bank_transfer"),
    path("invoices/<uuid:invoice_id>/", views.invoice, name="invoice"),
    path("<uuid:payment_id>/refund/", views.refund, name="refund"),
    path("<uuid:payment_id>/confirm-transfer/", views.confirm_transfer, name="confirm_transfer"),
]
