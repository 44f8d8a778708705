"""Every change to an account: registration, confirmation, log-in, passwords, addresses, staff.

Each action is keyword-only, runs in one transaction and writes its audit event inside
it. Actions know nothing of HTTP: the views and the JSON API parse the request, call one
action and render what it returns or raises. Links in e-mails are built from `base_url`
(the site's scheme and host, which the caller knows). E-mails are sent after the
transaction commits (see emails.py).

Log-in attempts are counted before the password is checked (accounts.throttle), so
`attempt_login` and `verify_second_factor` are the only ways in, and both are throttled.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import emails, second_factor, throttle, tokens
from accounts.age import UnderMinimumAge, check_age
from accounts.models import STAFF_ROLES, RefusedRegistrationCount, Role, User, normalize_email
from accounts.validation import email_problems, password_problems, raise_if_any, username_problems
from privacy.api import audit_action, blind_index, record_event

REGISTERED = audit_action("accounts.user.registered", "A customer registered an account.")
EMAIL_CONFIRMED = audit_action("accounts.email.confirmed", "An account's e-mail address was confirmed.")
LOGGED_IN = audit_action("accounts.user.logged_in", "Someone logged in to their account.")
PASSWORD_RESET = audit_action("accounts.password.reset", "A password was set through a reset link.")
PASSWORD_CHANGED = audit_action("accounts.password.changed", "A password was changed by its owner.")
EMAIL_CHANGE_REQUESTED = audit_action(
    "accounts.email.change_requested", "A change of e-mail address was asked for; it waits for confirmation."
)
EMAIL_CHANGED = audit_action("accounts.email.changed", "A new e-mail address was confirmed and applied.")
SECOND_FACTOR_ENROLLED = audit_action(
    "accounts.second_factor.enrolled", "A staff member enrolled a TOTP factor."
)
SECOND_FACTOR_RESET = audit_action(
    "accounts.second_factor.reset", "A staff member's TOTP factor was removed, to be enrolled again."
)
STAFF_CREATED = audit_action("accounts.staff.created", "A staff account was created.")
ROLE_CHANGED = audit_action("accounts.user.role_changed", "An account's role was changed.")
MANAGER_ASSIGNED = audit_action(
    "accounts.customer.manager_assigned", "A customer's account manager was assigned or removed."
)
ACCOUNT_UPDATED = audit_action("accounts.user.updated", "An administrator changed an account's settings.")

__all__ = [
    "LoginOutcome",
    "LoginResult",
    "UnderMinimumAge",
    "assign_account_manager",
    "attempt_login",
    "begin_second_factor_enrolment",
    "change_email_request",
    "change_password",
    "check_registration_age",
    "complete_password_reset",
    "confirm_email",
    "confirm_email_change",
    "confirm_second_factor_enrolment",
    "create_staff_user",
    "record_admin_change",
    "register_customer",
    "request_password_reset",
    "reset_second_factor",
    "send_email_verification",
    "set_role",
    "verify_second_factor",
]


def audit_actor(user: User | None) -> str:
    """How the audit trail names who acted: the person's subject id, never a name."""
    return f"subject:{user.subject_id}" if user is not None else "anonymous"


def _later(send: partial[bool]) -> None:
    transaction.on_commit(send)


# --- Registration -----------------------------------------------------------------------


def _count_refusal(*, day: dt.date, jurisdiction: str) -> None:
    with transaction.atomic():
        row, _created = RefusedRegistrationCount.objects.select_for_update().get_or_create(
            day=day, jurisdiction=jurisdiction
        )
        row.refused += 1
        row.save(update_fields=["refused"])


def check_registration_age(
    *, date_of_birth: dt.date, country: str | None, now: dt.datetime | None = None
) -> int:
    """The age gate alone: the minimum age that applied, or UnderMinimumAge.

    A refusal adds one to the day's count for the jurisdiction, and nothing else is
    written: no account, no address, no IP, no date of birth, no audit event naming anyone.
    """
    now = now or timezone.now()
    jurisdiction = (country or "").strip().upper()[:2]
    today = timezone.localdate(now)
    try:
        return check_age(date_of_birth=date_of_birth, country=jurisdiction or None, today=today)
    except UnderMinimumAge:
        _count_refusal(day=today, jurisdiction=jurisdiction)
        raise


def register_customer(
    *,
    username: str,
    email: str,
    password: str,
    date_of_birth: dt.date,
    country: str | None,
    ip_address: str | None,
    base_url: str,
    now: dt.datetime | None = None,
) -> User | None:
    """Open a customer account; the age gate comes first (C39), then exactly C1's four items.

    Raises UnderMinimumAge (having stored nothing but a count per day and jurisdiction)
    or ValidationError keyed by field. Returns the new account, or None when the address
    already has one: then the owner of that address is told by e-mail and the caller
    answers exactly as for a new account, so that registration does not reveal who has
    an account (decision 0006).
    """
    now = now or timezone.now()
    minimum_age = check_registration_age(date_of_birth=date_of_birth, country=country, now=now)
    username, email = username.strip(), email.strip()
    raise_if_any(
        {
            "username": username_problems(username),
            "email": email_problems(email),
            "password": password_problems(password, username=username, email=email),
        }
    )
    with transaction.atomic():
        if User.objects.filter(**User.objects.lookup(username)).exists():
            raise ValidationError({"username": [_("That username is taken. Please choose another.")]})
        owner = User.objects.filter(**User.objects.lookup(email)).first()
        if owner is not None:
            _later(partial(emails.send_already_registered, user_pk=owner.pk, base_url=base_url))
            return None
        user = User(
            username=username,
            email=email,
            registration_ip=ip_address or None,
            role=Role.CUSTOMER,
            date_joined=now,
            age_checked_at=now,
            minimum_age_applied=minimum_age,
        )
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save(force_insert=True)
        except IntegrityError:  # the same name or address, registered a moment ago
            raise ValidationError(
                {"username": [_("That username is taken. Please choose another.")]}
            ) from None
        record_event(
            REGISTERED,
            actor=audit_actor(user),
            subject=str(user.subject_id),
            details={"minimum_age_applied": minimum_age},
            at=now,
        )
        _later(partial(emails.send_verification, user_pk=user.pk, base_url=base_url))
    return user


def send_email_verification(*, user: User, base_url: str) -> None:
    """Send the confirmation link again (nothing happens once the address is confirmed)."""
    if not user.email_verified:
        _later(partial(emails.send_verification, user_pk=user.pk, base_url=base_url))


def _user_for(claim: tokens.TokenClaim) -> User | None:
    try:
        pk = uuid.UUID(claim.user_pk)
    except ValueError:
        return None
    return User.objects.select_for_update().filter(pk=pk, is_active=True).first()


def confirm_email(*, token: str, now: dt.datetime | None = None) -> User:
    """Mark the address confirmed. Raises tokens.InvalidToken for a bad, expired or used link."""
    claim = tokens.read_token(purpose=tokens.VERIFY_EMAIL, token=token)
    with transaction.atomic():
        user = _user_for(claim)
        state = emails.verification_state(user) if user is not None else ""
        if user is None or not tokens.state_matches(purpose=tokens.VERIFY_EMAIL, claim=claim, state=state):
            raise tokens.InvalidToken("unknown account, or the link was used or superseded")
        user.email_verified_at = now or timezone.now()
        user.save(update_fields=["email_verified_at"])
        record_event(EMAIL_CONFIRMED, actor=audit_actor(user), subject=str(user.subject_id))
    return user


# --- Log-in -----------------------------------------------------------------------------


class LoginOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # wrong name or password; never says which
    BLOCKED = "blocked"  # too many failures: wait `retry_after`
    SECOND_FACTOR = "second_factor"  # staff: password right, now the TOTP code
    ENROL_SECOND_FACTOR = "enrol_second_factor"  # staff without a confirmed TOTP factor yet


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    retry_after: dt.timedelta = dt.timedelta(0)

    @property
    def retry_after_minutes(self) -> int:
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))


def _logged_in(user: User, keys: list[throttle.ThrottleKey], now: dt.datetime) -> LoginResult:
    with transaction.atomic():
        throttle.settle_success(keys)
        User.objects.filter(pk=user.pk).update(last_login=now)
        record_event(LOGGED_IN, actor=audit_actor(user), subject=str(user.subject_id), at=now)
    user.last_login = now
    return LoginResult(LoginOutcome.OK, user)


def attempt_login(
    *, identifier: str, password: str, ip_address: str | None, now: dt.datetime | None = None
) -> LoginResult:
    """Check a username-or-address and password, throttled per account and per IP.

    A customer is logged in (OK). Staff get SECOND_FACTOR or ENROL_SECOND_FACTOR: the
    caller must not start their session until `verify_second_factor` (or enrolment)
    succeeds. The attempt stays counted against the account until then, so knowing the
    password does not buy unlimited guesses at the code.
    """
    now = now or timezone.now()
    identifier = identifier.strip()
    user = User.objects.find(identifier) if identifier else None
    keys = throttle.keys_for(user_pk=user.pk if user else None, identifier=identifier, ip_address=ip_address)
    wait = throttle.reserve_attempt(keys, now=now)
    if wait:
        return LoginResult(LoginOutcome.BLOCKED, retry_after=wait)
    if user is None or not user.is_active:
        User().set_password(password)  # the same Argon2 work as for a real account: no timing tell
        return LoginResult(LoginOutcome.INVALID)
    if not user.check_password(password):
        return LoginResult(LoginOutcome.INVALID)
    if user.has_staff_role:
        throttle.settle_success([key for key in keys if key.scope == throttle.Scope.IP])
        outcome = (
            LoginOutcome.SECOND_FACTOR if user.second_factor_enrolled else LoginOutcome.ENROL_SECOND_FACTOR
        )
        return LoginResult(outcome, user)
    return _logged_in(user, keys, now)


def verify_second_factor(
    *, user: User, code: str, ip_address: str | None, now: dt.datetime | None = None
) -> LoginResult:
    """The staff log-in's second step: a TOTP code not used before (replays are refused)."""
    now = now or timezone.now()
    keys = throttle.keys_for(user_pk=user.pk, identifier="", ip_address=ip_address)
    wait = throttle.reserve_attempt(keys, now=now)
    if wait:
        return LoginResult(LoginOutcome.BLOCKED, retry_after=wait)
    with transaction.atomic():
        fresh = User.objects.select_for_update().get(pk=user.pk)
        if not (fresh.is_active and fresh.second_factor_enrolled):
            return LoginResult(LoginOutcome.INVALID)
        step = second_factor.matching_step(
            secret=fresh.totp_secret, code=code, now=now, after_step=fresh.totp_last_step
        )
        if step is None:
            return LoginResult(LoginOutcome.INVALID)
        fresh.totp_last_step = step
        fresh.save(update_fields=["totp_last_step"])
    return _logged_in(fresh, keys, now)


def begin_second_factor_enrolment(*, user: User) -> str:
    """The secret to show for enrolment: a new one, kept until a first code confirms it."""
    with transaction.atomic():
        fresh = User.objects.select_for_update().get(pk=user.pk)
        if fresh.second_factor_enrolled:
            raise ValidationError(_("A second factor is already enrolled for this account."))
        if not fresh.totp_secret:
            fresh.totp_secret = second_factor.new_secret()
            fresh.save(update_fields=["totp_secret"])
    user.totp_secret = fresh.totp_secret
    return fresh.totp_secret


def confirm_second_factor_enrolment(
    *, user: User, code: str, ip_address: str | None, now: dt.datetime | None = None
) -> LoginResult:
    """Confirm enrolment with a first code; that completes the log-in as well."""
    now = now or timezone.now()
    keys = throttle.keys_for(user_pk=user.pk, identifier="", ip_address=ip_address)
    wait = throttle.reserve_attempt(keys, now=now)
    if wait:
        return LoginResult(LoginOutcome.BLOCKED, retry_after=wait)
    with transaction.atomic():
        fresh = User.objects.select_for_update().get(pk=user.pk)
        if not fresh.is_active or fresh.second_factor_enrolled or not fresh.totp_secret:
            return LoginResult(LoginOutcome.INVALID)
        step = second_factor.matching_step(secret=fresh.totp_secret, code=code, now=now, after_step=None)
        if step is None:
            return LoginResult(LoginOutcome.INVALID)
        fresh.totp_confirmed_at, fresh.totp_last_step = now, step
        fresh.save(update_fields=["totp_confirmed_at", "totp_last_step"])
        record_event(SECOND_FACTOR_ENROLLED, actor=audit_actor(fresh), subject=str(fresh.subject_id), at=now)
    return _logged_in(fresh, keys, now)


def reset_second_factor(*, user: User, actor: User) -> None:
    """Remove a staff member's factor (a lost phone); they enrol again at their next log-in."""
    with transaction.atomic():
        user.totp_secret, user.totp_confirmed_at, user.totp_last_step = None, None, None
        user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
        record_event(SECOND_FACTOR_RESET, actor=audit_actor(actor), subject=str(user.subject_id))


# --- Passwords --------------------------------------------------------------------------


def request_password_reset(*, identifier: str, base_url: str) -> None:
    """E-mail a reset link to the account's own address, if there is such an account.

    Returns nothing and raises nothing either way: the caller's answer must be the same
    whether or not the account exists.
    """
    user = User.objects.find(identifier.strip()) if identifier.strip() else None
    if user is not None and user.is_active and user.has_usable_password():
        _later(partial(emails.send_password_reset, user_pk=user.pk, base_url=base_url))


def complete_password_reset(*, user: User, new_password: str) -> None:
    """Set the password from a reset link; the account's failed log-ins are forgotten."""
    raise_if_any({"new_password": password_problems(new_password, username=user.username, email=user.email)})
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        throttle.clear_account(user_pk=user.pk)
        record_event(PASSWORD_RESET, actor=audit_actor(user), subject=str(user.subject_id))


def change_password(*, user: User, current_password: str, new_password: str) -> None:
    """The owner changes their password; other sessions end (Django ties them to the hash)."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": [_("Your current password was entered incorrectly.")]})
    raise_if_any({"new_password": password_problems(new_password, username=user.username, email=user.email)})
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_event(PASSWORD_CHANGED, actor=audit_actor(user), subject=str(user.subject_id))


# --- Change of e-mail address -----------------------------------------------------------


def change_email_request(
    *, user: User, new_email: str, current_password: str, base_url: str, now: dt.datetime | None = None
) -> None:
    """Ask to move the account to a new address.

    The new address gets a confirmation link; the current one is told (the new address
    masked). Nothing changes until the link is used. If the new address belongs to
    another account, its owner is told instead and the caller answers as usual.
    """
    now = now or timezone.now()
    new_email = new_email.strip()
    if not user.check_password(current_password):
        raise ValidationError({"current_password": [_("Your current password was entered incorrectly.")]})
    raise_if_any({"email": email_problems(new_email)})
    if normalize_email(new_email) == normalize_email(user.email):
        raise ValidationError({"email": [_("That is already your e-mail address.")]})
    masked = emails.mask_address(new_email)
    with transaction.atomic():
        owner = User.objects.filter(email_index=blind_index(User, "email_index", new_email)).first()
        _later(
            partial(
                emails.send_email_change_notice, user_pk=user.pk, base_url=base_url, masked_new_address=masked
            )
        )
        if owner is not None:
            _later(partial(emails.send_address_in_use, user_pk=owner.pk, base_url=base_url))
            return
        user.pending_email, user.pending_email_requested_at = new_email, now
        user.save(update_fields=["pending_email", "pending_email_requested_at"])
        record_event(EMAIL_CHANGE_REQUESTED, actor=audit_actor(user), subject=str(user.subject_id), at=now)
        _later(partial(emails.send_email_change_link, user_pk=user.pk, base_url=base_url))


def confirm_email_change(*, token: str, now: dt.datetime | None = None) -> User:
    """Apply the new address from its confirmation link. Raises tokens.InvalidToken."""
    claim = tokens.read_token(purpose=tokens.CHANGE_EMAIL, token=token)
    with transaction.atomic():
        user = _user_for(claim)
        state = emails.change_state(user) if user is not None and user.pending_email else ""
        if (
            user is None
            or not state
            or not tokens.state_matches(purpose=tokens.CHANGE_EMAIL, claim=claim, state=state)
        ):
            raise tokens.InvalidToken("unknown account, or the link was used or superseded")
        taken = User.objects.filter(**User.objects.lookup(user.pending_email)).exclude(pk=user.pk).exists()
        if taken:
            raise tokens.InvalidToken("the new address now belongs to another account")
        user.email, user.pending_email, user.pending_email_requested_at = user.pending_email, None, None
        user.email_verified_at = now or timezone.now()
        user.save()
        record_event(EMAIL_CHANGED, actor=audit_actor(user), subject=str(user.subject_id))
    return user


# --- Staff ------------------------------------------------------------------------------


def create_staff_user(*, username: str, email: str, password: str, role: str, actor: User | None) -> User:
    """A staff account (`pledge staff add`); the second factor is enrolled at first log-in."""
    if role not in STAFF_ROLES:
        raise ValidationError({"role": [_("Choose a staff role.")]})
    username, email = username.strip(), email.strip()
    raise_if_any(
        {
            "username": username_problems(username),
            "email": email_problems(email),
            "password": password_problems(password, username=username, email=email),
        }
    )
    with transaction.atomic():
        for value, field in ((username, "username"), (email, "email")):
            if User.objects.filter(**User.objects.lookup(value)).exists():
                raise ValidationError(
                    {field: [_("An account with this %(field)s exists.") % {"field": field}]}
                )
        user = User.objects.create_user(username, email, password, role=role)
        record_event(
            STAFF_CREATED, actor=audit_actor(actor), subject=str(user.subject_id), details={"role": role}
        )
    return user


def set_role(*, user: User, role: str, actor: User) -> None:
    """Change a role. A customer who becomes staff loses their assigned manager."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    before = user.role
    with transaction.atomic():
        user.role = role
        fields = ["role"]
        if role != Role.CUSTOMER and user.account_manager_id is not None:
            user.account_manager = None
            fields.append("account_manager")
        user.save(update_fields=fields)
        if before == Role.ACCOUNT_MANAGER and role != Role.ACCOUNT_MANAGER:
            User.objects.filter(account_manager=user).update(account_manager=None)
        record_event(
            ROLE_CHANGED,
            actor=audit_actor(actor),
            subject=str(user.subject_id),
            details={"from": before, "to": role},
        )


def assign_account_manager(*, customer: User, manager: User | None, actor: User) -> None:
    """Give a customer an account manager (or none): the manager then sees that customer."""
    if customer.role != Role.CUSTOMER:
        raise ValidationError({"customer": [_("Only customers have an account manager.")]})
    if manager is not None and not (manager.role == Role.ACCOUNT_MANAGER and manager.is_active):
        raise ValidationError({"manager": [_("Choose an active account manager.")]})
    with transaction.atomic():
        customer.account_manager = manager
        customer.save(update_fields=["account_manager"])
        record_event(
            MANAGER_ASSIGNED,
            actor=audit_actor(actor),
            subject=str(customer.subject_id),
            details={"manager": str(manager.subject_id) if manager is not None else None},
        )


def record_admin_change(*, user: User, changed: list[str], actor: User) -> None:
    """Audit a change made in the admin site (its own transaction wraps the save)."""
    record_event(
        ACCOUNT_UPDATED,
        actor=audit_actor(actor),
        subject=str(user.subject_id),
        details={"fields": sorted(changed)},
    )


# keeps: C1, C2, C3 (registration collects IP, username, e-mail, password; welcome back)
