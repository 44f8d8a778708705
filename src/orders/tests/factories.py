"""People, sessions and orders for the orders and payments tests, made through the real code."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.access import SECOND_FACTOR_AT
from accounts.models import Role, User
from orders import actions
from orders.models import Order
from orders.samples import ascii_stl, binary_stl, cube_triangles

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)

ADDRESS = actions.AddressSnapshot(
    consignee_name="Ada Consignee",
    lines=("12 Harbour Road", "518000 Shenzhen", "China"),
    mobile_phone="+86 138 0013 8000",
)


def make_user(role: str = Role.CUSTOMER, *, manager: User | None = None, name: str | None = None) -> User:
    n = next(_numbers)
    username = name or f"{role.replace('_', '')}{n}"
    extra: dict[str, Any] = {"role": role, "account_manager": manager}
    if role != Role.CUSTOMER:
        extra["totp_secret"], extra["totp_confirmed_at"] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", timezone.now()
    return User.objects.create_user(username, f"{username}@example.com", PASSWORD, **extra)


def logged_in(user: User) -> Client:
    """A browser with `user`'s session; staff sessions as after their TOTP code."""
    client = Client()
    client.force_login(user, backend="accounts.backends.AccountBackend")
    if user.has_staff_role:
        session = client.session
        session[SECOND_FACTOR_AT] = timezone.now().isoformat()
        session.save()
    return client


def stl_bytes(size: float = 10.0, *, binary: bool = False) -> bytes:
    triangles = cube_triangles(size)
    return binary_stl(triangles) if binary else ascii_stl(triangles)


def stl_file(name: str = "cube.stl", size: float = 10.0, *, binary: bool = False) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, stl_bytes(size, binary=binary), content_type="application/octet-stream")


def quote(customer: User, *, name: str = "cube.stl", quantity: int = 4, notes: str = "") -> Order:
    return actions.request_quote(
        customer=customer,
        process="cnc_machining",
        material="Aluminium 6061-T6",
        finish="Bead blasted",
        quantity=quantity,
        notes=notes,
        uploads=[stl_file(name)],
    )


def quoted(customer: User, manager: User, **kwargs: Any) -> Order:
    order = quote(customer, **kwargs)
    return actions.price_quote(
        actor=manager, order=order, unit_price=Decimal("12.50"), currency="USD", lead_time_days=7
    )


def placed(customer: User, manager: User, **kwargs: Any) -> Order:
    order = quoted(customer, manager, **kwargs)
    return actions.place_order(actor=customer, order=order, delivery=ADDRESS, billing=ADDRESS)


def files_under(root: Path) -> list[str]:
    """Every file below `root`, as sorted relative paths (what an upload left on disk)."""
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def audit_actions() -> list[str]:
    """The audit trail's action names, oldest first (read raw: the engine is reached only via its api)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT action FROM audit_auditevent ORDER BY seq")
        return [action for (action,) in cursor.fetchall()]
