"""Fixtures for the access, portability and erasure-link tests: fresh keys and the test models' tables."""

from privacy.catalog.tests.conftest import vault_keys  # noqa: F401
from privacy.rights.tests.collect.isolated_models import rights_catalog  # noqa: F401
