"""Customer and staff accounts: the subject of most of the Services' personal data.

Registration collects exactly what the policy's section 1 names (commitment C1): the IP
address, the username, the e-mail address and the password. The username, the address
and the IP are encrypted under the person's own data key (the vault); the password is an
Argon2id hash (C2). Log-in by username or e-mail works through blind indexes, keyed
hashes of the normalised value, which are unique, so two accounts can never share a
username or an address whatever their case.

Two small tables sit beside the account and hold nothing that names anyone:
`LoginThrottle` counts failed log-ins under a keyed hash of the account or the IP, and
`RefusedRegistrationCount` counts, per day and jurisdiction, the registrations refused
for being under the minimum age (C39: nothing else about a child is kept).
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.api import (
    BlindIndexField,
    EncryptedCharField,
    PersonalModel,
    blind_index,
    not_personal,
    personal,
)

# The collection context of the declaration that registration data belongs to.
REGISTRATION = "account_registration"


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    SUPPORT_AGENT = "support_agent", _("Support agent")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Permissions that come with a role rather than being granted one by one.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "privacy_officer": frozenset({"consent.view_consent_reports", "rights.handle_requests"}),
}


# Every role but the customer's is staff, and staff log in with a second factor.
STAFF_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.SUPPORT_AGENT, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR})


# Letters (any script), digits, "_", "." and "-", 3 to 30 of them; no "@", so that a log-in
# name is never mistaken for an address (accounts.validation gives the friendly message).
USERNAME_PATTERN = r"^\w[\w.-]{2,29}\Z"
username_validator = RegexValidator(
    USERNAME_PATTERN,
    _(
        "Use 3 to 30 letters, digits, dots, dashes or underscores, starting with a letter or digit "
        "(no spaces or @)."
    ),
)


def normalize_username(value: str) -> str:
    """The form a username is compared in: NFKC, trimmed, case-folded ("Ｍaria " == "maria")."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def normalize_email(value: str) -> str:
    """The form an address is compared in: trimmed and case-folded, local part included.

    RFC 5321 lets a mailbox's local part be case-sensitive, but no mail system that
    customers use treats it so, and two accounts differing only in case are a hijack risk.
    """
    return unicodedata.normalize("NFKC", value).strip().casefold()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def lookup(self, identifier: str) -> dict[str, Any]:
        """The filter that finds the account a log-in identifier names: an address has an "@"."""
        if "@" in identifier:
            return {"email_index": blind_index(self.model, "email_index", identifier)}
        return {"username_index": blind_index(self.model, "username_index", identifier)}

    def get_by_natural_key(self, username: str | None) -> User:
        """Find an account by username or e-mail address, in any case (Django's log-in and admin use this)."""
        if not username:
            raise self.model.DoesNotExist
        return self.get(**self.lookup(username))

    def find(self, identifier: str) -> User | None:
        try:
            return self.get_by_natural_key(identifier)
        except ObjectDoesNotExist:
            return None

    def create_user(
        self, username: str, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        """A customer (or, with role=, staff) account; no validation here, forms and actions do that."""
        user = self.model(username=username.strip(), email=email.strip(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, username: str, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        """An administrator (`pledge createsuperuser`); the second factor is enrolled at first log-in."""
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["role"] != Role.ADMINISTRATOR or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser is an administrator with is_superuser=True.")
        return self.create_user(username, email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin, PersonalModel):
    """One person's account, customer or staff.

    The primary key (UUIDv7, from PersonalModel) names the row; `subject_id` names the
    person to the privacy engine (data key, audit trail, requests) and never changes.
    """

    privacy_subject = "self"

    subject_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = EncryptedCharField(
        _("username"),
        max_length=30,
        validators=[username_validator],
        category="user.account.username",
        context=REGISTRATION,
    )
    username_index = BlindIndexField(source="username", normalizer=normalize_username, unique=True)
    email = EncryptedCharField(
        _("e-mail address"), max_length=254, category="user.contact.email", context=REGISTRATION
    )
    email_index = BlindIndexField(source="email", normalizer=normalize_email, unique=True)
    password = personal(
        models.CharField(_("password"), max_length=128),
        category="user.authorization.password",
        context=REGISTRATION,
        erasure="delete_row",
    )
    registration_ip = EncryptedCharField(
        _("IP address at registration"),
        max_length=45,
        null=True,
        blank=True,
        category="user.device.ip_address",
        context=REGISTRATION,
        provided_by_subject=False,
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    is_active = models.BooleanField(_("active"), default=True)
    email_verified_at = not_personal(
        models.DateTimeField(_("e-mail confirmed"), null=True, blank=True),
        reason="when the address was confirmed: a timestamp of the account's administration, no address",
    )
    # A change of address waits here, encrypted, until the new address confirms it.
    pending_email = EncryptedCharField(
        _("new e-mail address, unconfirmed"),
        max_length=254,
        null=True,
        blank=True,
        category="user.contact.email",
        context=REGISTRATION,
    )
    pending_email_requested_at = not_personal(
        models.DateTimeField(null=True, blank=True),
        reason="when a change of address was asked for: a timestamp, no address",
    )
    # The age gate (C39): the date of birth is never stored, only that the check passed
    # and which minimum age applied. Null for staff created by an administrator.
    age_checked_at = models.DateTimeField(null=True, blank=True)
    minimum_age_applied = models.PositiveSmallIntegerField(null=True, blank=True)

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER, db_index=True
    )
    account_manager = models.ForeignKey(
        "self",
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_customers",
        limit_choices_to={"role": Role.ACCOUNT_MANAGER},
    )
    # Staff second factor (TOTP). The secret is set at enrolment and confirmed by a first
    # code; `totp_last_step` is the newest time step accepted, so a code is never used twice.
    # Declared under the password category: it is the other shared secret of a log-in, and
    # the registration context lists no other credential (decision 0006).
    totp_secret = EncryptedCharField(
        _("TOTP secret"),
        max_length=64,
        null=True,
        blank=True,
        category="user.authorization.password",
        context=REGISTRATION,
        provided_by_subject=False,
    )
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["email"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering: ClassVar[list[str]] = ["date_joined"]

    if TYPE_CHECKING:
        assigned_customers: models.Manager[User]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.pk}"

    @property
    def is_staff(self) -> bool:
        """Django's gate to the admin site: administrators only (need-to-know, C37)."""
        return self.is_active and self.role == Role.ADMINISTRATOR

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        """A role brings the permissions its job needs (need-to-know, keeps: C37)."""
        if self.is_active and perm in ROLE_PERMISSIONS.get(self.role, frozenset()):
            return True
        return super().has_perm(perm, obj)

    @property
    def has_staff_role(self) -> bool:
        """Any staff role; staff log in with a second factor."""
        return self.role in STAFF_ROLES

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def second_factor_enrolled(self) -> bool:
        return bool(self.totp_secret) and self.totp_confirmed_at is not None


class LoginThrottle(models.Model):
    """Failed log-in attempts for one account or one IP address, under a keyed hash of it.

    `failures` is forgotten after a quiet period; `blocked_until` is when the next attempt
    may be made. See accounts.throttle for the rules.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        IP = "ip", _("IP address")

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = not_personal(
        models.CharField(max_length=64),
        reason="HMAC-SHA256 of the account id, log-in name or IP address under a server secret; the row "
        "is deleted on the next successful log-in or forgotten after a quiet day",
    )
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["scope", "key"], name="accounts_throttle_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} throttle ({self.failures} failures)"


class RefusedRegistrationCount(models.Model):
    """How many registrations were refused for age, per day and jurisdiction (C39).

    All that is kept of a refused child: a number. No row of the child, no IP, no address.
    """

    day = models.DateField()
    jurisdiction = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2; blank when unknown
    refused = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["day", "jurisdiction"], name="accounts_refused_day_jurisdiction")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.jurisdiction or '??'}: {self.refused}"
