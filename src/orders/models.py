"""Quotes and orders: one row per order for its whole life, its status history, its 3D files.

Policy section 3 ("Live Chat and Order", commitment C5): what the customer uploads — the
3D files and the notes — is `user.content.private`, encrypted under the customer's own data
key, so erasing the customer makes every copy unreadable. What makes the order a purchase
record (process, material, quantity, price, status) is `user.behavior.purchase_history`,
which the declaration keeps three years under a legal hold (E-Commerce Law Art. 31): those
columns stay plain, so a held row stays readable after the customer's key is gone, and
are anonymised when the hold ends.

The delivery and billing addresses an order was placed with are copied, as they were then,
into `OrderAddress` rows. They are delivery data under a legal hold too, and must be
readable for as long as the order record is kept, so they are sealed under a key of their
own (the row's `subject_id`), not the customer's: erasing the customer leaves them
readable until the hold ends, and destroying that key then shreds them, backups included
(the same design as the request logs, docs/decisions/0009-orders-payments.md).

The lifecycle is one table, `TRANSITIONS`; who may make which move is decided by
orders.actions, which also writes an `OrderEvent` and an audit event for every change.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.offerings import BY_KEY
from privacy.api import (
    EncryptedCharField,
    EncryptedFileField,
    EncryptedTextField,
    PersonalModel,
    SubjectErased,
    not_personal,
    personal,
)

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

# Collection contexts of the declaration (policy/sogaworks.yaml).
CHAT_AND_ORDER = "live_chat_and_order"
DELIVERY = "delivery"
CONTENT = "user.content.private"
PURCHASE = "user.behavior.purchase_history"


class Status(models.TextChoices):
    QUOTE_REQUESTED = "quote_requested", _("Quote requested")
    QUOTED = "quoted", _("Quoted")
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    IN_PRODUCTION = "in_production", _("In production")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


# Every allowed move, and only these. QUOTED -> QUOTED is the account manager revising a
# quote before the customer places the order. Cancelling is possible until the parts ship.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.QUOTE_REQUESTED: frozenset({Status.QUOTED, Status.CANCELLED}),
    Status.QUOTED: frozenset({Status.QUOTED, Status.PLACED, Status.CANCELLED}),
    Status.PLACED: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset({Status.IN_PRODUCTION, Status.CANCELLED}),
    Status.IN_PRODUCTION: frozenset({Status.SHIPPED, Status.CANCELLED}),
    Status.SHIPPED: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# The happy path, in order, for the status timeline on the order page.
LIFECYCLE: tuple[str, ...] = (
    Status.QUOTE_REQUESTED,
    Status.QUOTED,
    Status.PLACED,
    Status.PAID,
    Status.IN_PRODUCTION,
    Status.SHIPPED,
    Status.DELIVERED,
)


class Currency(models.TextChoices):
    USD = "USD", "USD"
    EUR = "EUR", "EUR"
    GBP = "GBP", "GBP"
    CNY = "CNY", "CNY"


FieldT = TypeVar("FieldT", bound="models.Field[Any, Any]")


def readable(instance: models.Model, name: str, default: str = "") -> str:
    """A decrypted value for display, or `default` once its subject was erased.

    An erasure keeps held rows (the order record) but destroys the customer's key; pages
    and the API that list such rows show the default instead of failing.
    """
    try:
        value = getattr(instance, name)
    except SubjectErased:
        return default
    return "" if value is None else str(value)


def _purchase(field: FieldT) -> FieldT:
    """A column of the purchase record: kept under the order-record hold, anonymised after it."""
    return personal(field, category=PURCHASE, context=CHAT_AND_ORDER, erasure="anonymise")


class Order(PersonalModel):
    """A quote request that becomes an order: one row from the request to delivery."""

    privacy_subject = "customer"

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    # Who the customer's account manager was when the quote was requested (a record);
    # who may see the order now follows the customer's current assignment (queries.py).
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_orders",
        verbose_name=_("account manager at request"),
    )
    process = _purchase(models.CharField(_("process"), max_length=40))
    material = _purchase(models.CharField(_("material"), max_length=80))
    finish = _purchase(models.CharField(_("finish"), max_length=80))
    quantity = _purchase(models.PositiveIntegerField(_("quantity")))
    notes = EncryptedTextField(_("notes"), blank=True, category=CONTENT, context=CHAT_AND_ORDER)
    status = _purchase(
        models.CharField(
            _("status"), max_length=20, choices=Status.choices, default=Status.QUOTE_REQUESTED, db_index=True
        )
    )
    currency = _purchase(models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True))
    unit_price = _purchase(models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, null=True))
    total = _purchase(models.DecimalField(_("total"), max_digits=14, decimal_places=2, null=True))
    lead_time_days = _purchase(models.PositiveSmallIntegerField(_("lead time in days"), null=True))
    # The account manager's words to the customer about this order's quote.
    quote_note = EncryptedTextField(
        _("note with the quote"),
        blank=True,
        category=CONTENT,
        context=CHAT_AND_ORDER,
        provided_by_subject=False,
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    quoted_at = models.DateTimeField(_("quoted"), null=True, blank=True)
    placed_at = models.DateTimeField(_("placed"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    if TYPE_CHECKING:
        events: RelatedManager[OrderEvent]
        files: RelatedManager[ModelFile]
        addresses: RelatedManager[OrderAddress]

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering: ClassVar[list[str]] = ["-requested_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="orders_order_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        # No personal data in a repr: it ends up in logs and error reports.
        return f"Order {self.reference}"

    @property
    def reference(self) -> str:
        """A short reference to quote on the phone: the last eight hex digits of the id."""
        return f"SW-{self.pk.hex[-8:].upper()}"

    @property
    def customer_label(self) -> str:
        return readable(self.customer, "username", default=str(_("erased customer")))

    @property
    def notes_text(self) -> str:
        return readable(self, "notes")

    @property
    def quote_note_text(self) -> str:
        return readable(self, "quote_note")

    @property
    def process_name(self) -> str:
        process = BY_KEY.get(self.process)
        return process.name if process else self.process

    def can_transition(self, to: str) -> bool:
        return to in TRANSITIONS.get(self.status, frozenset())

    @property
    def is_cancellable(self) -> bool:
        return self.can_transition(Status.CANCELLED)

    @property
    def is_priced(self) -> bool:
        return self.total is not None and bool(self.currency)

    def priced_total(self, unit_price: Decimal) -> Decimal:
        return unit_price * self.quantity


class OrderEvent(PersonalModel):
    """One change of an order's status: from, to, who, when, and an optional note."""

    privacy_subject = "order__customer"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)  # blank: created
    to_status = _purchase(models.CharField(max_length=20, choices=Status.choices))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(default=timezone.now)
    note = EncryptedTextField(blank=True, category=CONTENT, context=CHAT_AND_ORDER, provided_by_subject=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"

    @property
    def note_text(self) -> str:
        return readable(self, "note")


class ModelFile(PersonalModel):
    """A 3D file uploaded with a quote request, checked by content before it was stored."""

    privacy_subject = "order__customer"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField(default=0)  # the order in which they were uploaded
    file = EncryptedFileField(_("file"), category=CONTENT, context=CHAT_AND_ORDER)
    # The name from the customer's disk, cleaned (modelfiles.safe_display_name): a file name
    # can name a person or a project, so it is encrypted like the file.
    display_name = EncryptedCharField(
        _("file name"), max_length=120, category=CONTENT, context=CHAT_AND_ORDER
    )
    format = models.CharField(_("format"), max_length=12)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    triangles = models.PositiveIntegerField(_("triangles"), null=True, blank=True)
    bbox_min_x = models.FloatField(null=True, blank=True)
    bbox_min_y = models.FloatField(null=True, blank=True)
    bbox_min_z = models.FloatField(null=True, blank=True)
    bbox_max_x = models.FloatField(null=True, blank=True)
    bbox_max_y = models.FloatField(null=True, blank=True)
    bbox_max_z = models.FloatField(null=True, blank=True)
    volume_mm3 = models.FloatField(_("volume in mm³"), null=True, blank=True)
    units = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "received_at"]

    def __str__(self) -> str:
        return f"Model file {self.pk}"

    @property
    def has_mesh_figures(self) -> bool:
        return self.bbox_min_x is not None

    @property
    def dimensions(self) -> tuple[float, float, float] | None:
        """Width, depth and height of the bounding box in millimetres."""
        if (
            self.bbox_min_x is None
            or self.bbox_min_y is None
            or self.bbox_min_z is None
            or self.bbox_max_x is None
            or self.bbox_max_y is None
            or self.bbox_max_z is None
        ):
            return None
        return (
            self.bbox_max_x - self.bbox_min_x,
            self.bbox_max_y - self.bbox_min_y,
            self.bbox_max_z - self.bbox_min_z,
        )

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format.upper())

    @property
    def download_content_type(self) -> str:
        """A content type no browser renders or runs: STL as model/stl, the rest as bytes."""
        return "model/stl" if self.format.startswith("stl") else "application/octet-stream"


FORMAT_LABELS = {
    "step": "STEP",
    "stl_ascii": "STL (ASCII)",
    "stl_binary": "STL (binary)",
    "iges": "IGES",
    "obj": "OBJ",
    "3mf": "3MF",
}


class AddressKind(models.TextChoices):
    DELIVERY = "delivery", _("Delivery address")
    BILLING = "billing", _("Billing address")


class OrderAddress(PersonalModel):
    """Where an order goes and who is billed, copied from the address book when it was placed.

    Sealed under the row's own key (`subject_id`), not the customer's: the row is held with
    the order record (retention rules delivery-*), and must stay readable when an erasure
    destroys the customer's key. `customer_subject_id` says whose it is.
    """

    privacy_subject = "self"
    # Whose address it is, for access requests and erasure (held rows are kept and reported).
    privacy_person = "customer_subject_id"

    subject_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer_subject_id = models.UUIDField(db_index=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=AddressKind.choices)
    consignee_name = EncryptedCharField(
        _("consignee name"), max_length=120, category="user.name", context=DELIVERY, erasure="delete_row"
    )
    mobile_phone = EncryptedCharField(
        _("mobile phone"),
        max_length=32,
        blank=True,
        category="user.contact.phone_number",
        context=DELIVERY,
        erasure="delete_row",
    )
    postal_lines = EncryptedTextField(
        _("address"), category="user.contact.address", context=DELIVERY, erasure="delete_row"
    )
    address_book_id = not_personal(
        models.UUIDField(null=True, blank=True),
        reason="the id of the address-book entry this was copied from; the address itself is encrypted",
    )

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["order", "kind"], name="orders_orderaddress_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} address of order {self.order_id}"

    @property
    def lines(self) -> list[str]:
        return [line for line in self.postal_lines.splitlines() if line]


# keeps: C5 (orders with the 3D files the customer uploads)
