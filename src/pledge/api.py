"""The JSON API (django-ninja), described by OpenAPI at /api/docs.

Each app contributes a router from its own api.py; endpoints call the same actions as
the HTML views.
"""

from __future__ import annotations

from ninja import NinjaAPI

from accounts.api import router as accounts_router
from addresses.api import router as addresses_router
from chat.api import router as chat_router
from orders.api import router as orders_router
from payments.api import router as payments_router
from privacy.consent.api import analytics_router
from privacy.consent.api import router as consent_router
from privacy.rights.api import router as rights_router
from support.api import router as support_router

api = NinjaAPI(
    title="SogaWorks API",
    version="1.0",
    description="The SogaWorks Services and the Pledge privacy engine.",
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/accounts/", accounts_router)
api.add_router("/addresses/", addresses_router)
api.add_router("/support/", support_router)
api.add_router("/orders/", orders_router)
api.add_router("/payments/", payments_router)
api.add_router("/chat/", chat_router)
api.add_router("/consent/", consent_router)
api.add_router("/analytics/", analytics_router)
api.add_router("/rights/", rights_router)
