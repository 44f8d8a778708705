"""The payments tests use the orders tests' people, upload folder and test gateway."""

from orders.tests.conftest import (  # noqa: F401
    administrator,
    customer,
    gateway,
    manager,
    media_root,
    other_customer,
    other_manager,
    privacy_officer,
    support_agent,
)
