"""Log-in throttling per account and per IP address, with exponential back-off.

Rules (decision 0006):
- An attempt is counted *before* the password is checked, inside a locked row, so a
  burst of parallel guesses cannot all slip through while Argon2 runs. A successful
  attempt then takes its count back: the account's row is deleted, the IP's count is
  decreased by one.
- After `free_failures` failures the next attempt must wait `first_wait`, and the wait
  doubles with each further failure up to `max_wait`: 1, 2, 4, 8, 15, 15 … minutes for an
  account. Attempts made while waiting are refused without being counted, so the real
  owner is never locked out for good; a password reset clears the account's count.
- Failures are forgotten after `forget_after` without one.
- Rows are keyed by an HMAC of the account id (or, for an unknown name, of the
  normalised name) and of the IP address, never by the plain value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.crypto import salted_hmac

from accounts.models import LoginThrottle, normalize_email, normalize_username

Scope = LoginThrottle.Scope


@dataclass(frozen=True)
class ThrottleRule:
    free_failures: int
    first_wait: dt.timedelta
    max_wait: dt.timedelta
    forget_after: dt.timedelta

    def wait_after(self, failures: int) -> dt.timedelta:
        """How long to wait after the `failures`-th failure in a row."""
        if failures < self.free_failures:
            return dt.timedelta(0)
        doublings = min(failures - self.free_failures, 16)  # 2**16 minutes is far past any cap
        return min(self.first_wait * 2**doublings, self.max_wait)


RULES: dict[str, ThrottleRule] = {
    Scope.ACCOUNT: ThrottleRule(
        free_failures=5,
        first_wait=dt.timedelta(minutes=1),
        max_wait=dt.timedelta(minutes=15),
        forget_after=dt.timedelta(days=1),
    ),
    # Many people can share one address (an office, a carrier's NAT): a wider allowance.
    Scope.IP: ThrottleRule(
        free_failures=20,
        first_wait=dt.timedelta(minutes=1),
        max_wait=dt.timedelta(minutes=15),
        forget_after=dt.timedelta(days=1),
    ),
}


@dataclass(frozen=True)
class ThrottleKey:
    scope: str
    key: str


def _digest(scope: str, value: str) -> str:
    return salted_hmac(f"accounts.throttle.{scope}", value, algorithm="sha256").hexdigest()


def account_key(*, user_pk: object | None, identifier: str) -> ThrottleKey:
    """The account's key; a name that matches no account gets its own, so both behave alike."""
    if user_pk is not None:
        return ThrottleKey(Scope.ACCOUNT, _digest(Scope.ACCOUNT, f"user:{user_pk}"))
    normal = normalize_email(identifier) if "@" in identifier else normalize_username(identifier)
    return ThrottleKey(Scope.ACCOUNT, _digest(Scope.ACCOUNT, f"name:{normal}"))


def ip_key(ip_address: str) -> ThrottleKey:
    return ThrottleKey(Scope.IP, _digest(Scope.IP, ip_address))


def keys_for(*, user_pk: object | None, identifier: str, ip_address: str | None) -> list[ThrottleKey]:
    keys = [account_key(user_pk=user_pk, identifier=identifier)]
    if ip_address:
        keys.append(ip_key(ip_address))
    return keys


def _locked_rows(keys: Sequence[ThrottleKey]) -> dict[ThrottleKey, LoginThrottle]:
    rows = {}
    for item in keys:
        row = LoginThrottle.objects.select_for_update().filter(scope=item.scope, key=item.key).first()
        if row is not None:
            rows[item] = row
    return rows


def current_wait(keys: Sequence[ThrottleKey], *, now: dt.datetime) -> dt.timedelta:
    """How long until an attempt may be made (zero when it may be made now)."""
    blocked = LoginThrottle.objects.filter(
        key__in=[item.key for item in keys], blocked_until__gt=now
    ).values_list("scope", "key", "blocked_until")
    wanted = {(item.scope, item.key) for item in keys}
    waits = [until - now for scope, key, until in blocked if (scope, key) in wanted and until is not None]
    return max(waits, default=dt.timedelta(0))


def reserve_attempt(keys: Sequence[ThrottleKey], *, now: dt.datetime) -> dt.timedelta:
    """Count one attempt against every key, unless one of them is blocked.

    Returns the remaining wait when blocked (nothing is counted), else zero. The caller
    settles a successful attempt with `settle_success`.
    """
    with transaction.atomic():
        rows = _locked_rows(keys)
        waits = [
            row.blocked_until - now for row in rows.values() if row.blocked_until and row.blocked_until > now
        ]
        if waits:
            return max(waits)
        for item in keys:
            row = rows.get(item) or LoginThrottle(scope=item.scope, key=item.key, last_failure_at=now)
            rule = RULES[item.scope]
            if row.pk is not None and now - row.last_failure_at > rule.forget_after:
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            wait = rule.wait_after(row.failures)
            row.blocked_until = now + wait if wait else None
            row.save()
    return dt.timedelta(0)


def settle_success(keys: Sequence[ThrottleKey]) -> None:
    """Take back the attempt `reserve_attempt` counted: it was not a failure.

    The account starts afresh. The IP keeps its other failures (someone else behind the
    same address may be guessing), minus this one; no block is in force, since the
    attempt got through.
    """
    with transaction.atomic():
        rows = _locked_rows(keys)
        for item, row in rows.items():
            if item.scope == Scope.ACCOUNT or row.failures <= 1:
                row.delete()
                continue
            row.failures -= 1
            row.blocked_until = None
            row.save(update_fields=["failures", "blocked_until"])


def clear_account(*, user_pk: object) -> int:
    """Forget the account's failures (after a password reset). Returns the rows deleted."""
    item = account_key(user_pk=user_pk, identifier="")
    deleted, _ = LoginThrottle.objects.filter(scope=item.scope, key=item.key).delete()
    return deleted


def purge_stale(*, now: dt.datetime) -> int:
    """Delete rows whose failures are forgotten and that block nothing. Returns the rows deleted."""
    oldest = now - max(rule.forget_after for rule in RULES.values())
    stale = LoginThrottle.objects.filter(last_failure_at__lt=oldest).exclude(blocked_until__gt=now)
    deleted, _ = stale.delete()
    return deleted
