from __future__ import annotations

import pytest

from accounts.models import Role

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.mark.commitment("C37")
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.PRIVACY_OFFICER, True),
        (Role.SUPPORT_AGENT, False),
        (Role.ACCOUNT_MANAGER, False),
        (Role.CUSTOMER, False),
    ],
)
def test_only_the_privacy_officer_role_brings_the_consent_report_permission(
    make_user: object, role: str, allowed: bool
) -> None:
    user = make_user(f"user{role.replace('_', '')}", role=role)  # type: ignore[operator]
    assert user.has_perm("consent.view_consent_reports") is allowed


def test_an_inactive_privacy_officer_has_no_role_permission(make_user: object) -> None:
    user = make_user("formerofficer", role=Role.PRIVACY_OFFICER)  # type: ignore[operator]
    user.is_active = False
    assert user.has_perm("consent.view_consent_reports") is False
