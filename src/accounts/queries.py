"""Who may see whom: the need-to-know rules of the Services (commitment C37).

Other apps build their own `*_visible_to(user)` on these, for example::

    def orders_visible_to(user):
        return Order.objects.filter(customer__in=customers_visible_to(user))

so that a rule lives in one place and a template never decides what is shown. Every
query returns an empty queryset (never an error) for someone who may see nothing, and
treats a logged-out visitor, an inactive account or an unknown role as seeing nothing.

The role predicates take anything with `role` and `is_active` (a User, or the
AnonymousUser of a request) and answer False for the anonymous.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import STAFF_ROLES, Role, User


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    role = getattr(user, "role", None)
    return role if isinstance(role, str) else None


def is_customer(user: Any) -> bool:
    return _role(user) == Role.CUSTOMER


def is_account_manager(user: Any) -> bool:
    return _role(user) == Role.ACCOUNT_MANAGER


def is_support_agent(user: Any) -> bool:
    return _role(user) == Role.SUPPORT_AGENT


def is_privacy_officer(user: Any) -> bool:
    return _role(user) == Role.PRIVACY_OFFICER


def is_administrator(user: Any) -> bool:
    return _role(user) == Role.ADMINISTRATOR


def is_staff_member(user: Any) -> bool:
    """Any staff role (account manager, support agent, privacy officer, administrator)."""
    return _role(user) in STAFF_ROLES


def has_role(user: Any, *roles: str) -> bool:
    return _role(user) in roles


def customers_visible_to(user: Any) -> QuerySet[User]:
    """The customer accounts `user` may see.

    - a customer: their own account only;
    - an account manager: the customers assigned to them;
    - a privacy officer or an administrator: every customer;
    - a support agent (tickets only), a logged-out visitor, an inactive account: none.
    """
    customers = User.objects.filter(role=Role.CUSTOMER)
    role = _role(user)
    if role == Role.CUSTOMER:
        return customers.filter(pk=user.pk)
    if role == Role.ACCOUNT_MANAGER:
        return customers.filter(account_manager_id=user.pk)
    if role in (Role.PRIVACY_OFFICER, Role.ADMINISTRATOR):
        return customers
    return User.objects.none()


def can_see_customer(user: Any, customer: User) -> bool:
    return customers_visible_to(user).filter(pk=customer.pk).exists()


def account_managers() -> QuerySet[User]:
    """Active account managers, for assigning customers."""
    return User.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True)


def staff_members() -> QuerySet[User]:
    return User.objects.filter(role__in=sorted(STAFF_ROLES))


def account_for_login(identifier: str) -> User | None:
    """The account a username or e-mail address names, in any case; None if none does."""
    identifier = identifier.strip()
    return User.objects.find(identifier) if identifier else None
