"""The configured payment gateway: settings.PLEDGE_PAYMENT_GATEWAY, one instance per process.

The in-memory TestGateway keeps its tokens and charges in the instance, so the same
instance must serve the tokenisation and the charge that follows: the gateway is built
once per dotted path and reused. Tests swap in their own with `using_gateway`, the way the
vault's file store is swapped, instead of monkeypatching.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from payments.gateway import PaymentGateway

DEFAULT_GATEWAY = "payments.testgateway.TestGateway"
_override: list[PaymentGateway] = []


@cache
def _build(path: str) -> PaymentGateway:
    gateway = import_string(path)()
    if not isinstance(gateway, PaymentGateway):
        raise ImproperlyConfigured(
            f"PLEDGE_PAYMENT_GATEWAY {path!r} does not implement payments.gateway.PaymentGateway"
        )
    return gateway


def payment_gateway() -> PaymentGateway:
    if _override:
        return _override[-1]
    return _build(str(getattr(settings, "PLEDGE_PAYMENT_GATEWAY", DEFAULT_GATEWAY)))


@contextmanager
def using_gateway(gateway: PaymentGateway) -> Iterator[PaymentGateway]:
    """Make `gateway` the current one inside the block (tests)."""
    _override.append(gateway)
    try:
        yield gateway
    finally:
        _override.pop()
