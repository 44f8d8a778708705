"""The address book tests' people and clients, shared by the support tests."""

from addresses.tests.conftest import log_in, make_user

__all__ = ["log_in", "make_user"]
