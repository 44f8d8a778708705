"""Fixtures of the request workflow tests: customers and a privacy officer (from workflow.py)."""

from privacy.rights.tests.workflow import make_user, officer

__all__ = ["make_user", "officer"]
