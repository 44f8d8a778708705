"""A customer's address book: where goods go and where invoices go (policy section 2, commitment C4).

Every field a person typed is encrypted under the customer's own data key, declared in the
"delivery" context with its data category. The mobile phone also has a blind index (a
keyed hash of the E.164 number), so that staff who may see the customer can find them by
the number they are calling from, without the number being readable in the table.

One address may be the default for delivery and another (or the same) the default for
billing; partial unique constraints keep at most one of each per customer.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from addresses.countries import country_name
from addresses.validators import format_phone_number
from privacy.api import BlindIndexField, EncryptedCharField, PersonalModel, not_personal

# The collection context of the declaration that these fields belong to (policy section 2).
DELIVERY = "delivery"

# The declaration holds delivery details for three years after an order (E-Commerce Law
# Art. 31) and says "an address-book entry never used for an order is erased with the
# account". The record the law holds is the order's; the book is the customer's working
# list, so its fields are outside that hold (an entry an order points at is kept with it).
NOT_HELD = (
    "address-book entry: the order is the record the law holds; an entry no order uses is erased "
    "with the account"
)


class Address(PersonalModel):
    privacy_subject = "customer"

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("customer"),
    )
    label = EncryptedCharField(
        _("label"),
        max_length=40,
        blank=True,
        category="user.contact.address",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    consignee_name = EncryptedCharField(
        _("consignee name"), max_length=120, category="user.name", context=DELIVERY, not_held=NOT_HELD
    )
    mobile_phone = EncryptedCharField(
        _("mobile phone"),
        max_length=16,
        category="user.contact.phone_number",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    mobile_phone_index = not_personal(
        BlindIndexField(source="mobile_phone"),
        reason="keyed hash (HMAC) of the E.164 mobile number, to find a customer by phone; not reversible "
        "without the index key, and deleted with the row",
    )
    # "Contact information" beyond the mobile (policy section 2): an e-mail for delivery
    # updates and a second phone number, both optional.
    contact_email = EncryptedCharField(
        _("e-mail for delivery updates"),
        max_length=254,
        blank=True,
        category="user.contact.email",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    other_phone = EncryptedCharField(
        _("other phone"),
        max_length=16,
        blank=True,
        category="user.contact.phone_number",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    country = EncryptedCharField(
        _("country"),
        max_length=2,
        category="user.contact.address.country",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    postal_code = EncryptedCharField(
        _("postal code"),
        max_length=12,
        blank=True,
        category="user.contact.address.postal_code",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    region = EncryptedCharField(
        _("state, province or region"),
        max_length=100,
        blank=True,
        category="user.contact.address.state",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    city = EncryptedCharField(
        _("city"), max_length=100, category="user.contact.address.city", context=DELIVERY, not_held=NOT_HELD
    )
    street_line1 = EncryptedCharField(
        _("street address"),
        max_length=200,
        category="user.contact.address.street",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    street_line2 = EncryptedCharField(
        _("street address, line 2"),
        max_length=200,
        blank=True,
        category="user.contact.address.street",
        context=DELIVERY,
        not_held=NOT_HELD,
    )
    is_default_delivery = models.BooleanField(_("default delivery address"), default=False)
    is_default_billing = models.BooleanField(_("default billing address"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default_delivery=True),
                name="addresses_one_default_delivery",
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default_billing=True),
                name="addresses_one_default_billing",
            ),
        ]

    def __str__(self) -> str:
        # No personal data in a repr: it ends up in logs and error reports.
        return f"Address {self.pk}"

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def mobile_phone_display(self) -> str:
        return format_phone_number(self.mobile_phone)

    @property
    def other_phone_display(self) -> str:
        return format_phone_number(self.other_phone) if self.other_phone else ""

    @property
    def lines(self) -> list[str]:
        """The address as printed on a parcel label, one line each, empty parts left out."""
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return [
            line
            for line in (self.street_line1, self.street_line2, place, self.region, self.country_name)
            if line
        ]


# keeps: C4 (the delivery fields)
