"""Settings of the servers the HTTP benchmarks start: the project's, plus two things.

- bench.urls adds a minimal view, the baseline that pages are compared with, served by
  the same server through the same middleware.
- PLEDGE_CONSENT_CHECK comes from the environment, so that one server can run with the
  consent check and another, otherwise identical, without it (the overhead baseline).
"""

from __future__ import annotations

import os

from pledge.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
PLEDGE_CONSENT_CHECK = os.environ.get("PLEDGE_CONSENT_CHECK", "1") != "0"
