"""Page rendering under concurrent load (issue 7), with the runner of bench/http.py.

Each page is loaded at a fixed concurrency in the same gunicorn server, and compared with
a minimal Django view served by that server through the same middleware under the same
load: the ratio is what the page itself costs. The pages: the home page and the privacy
policy as a first visit sees them (the consent banner included), and a logged-in
customer's order list (session, vault decryption of their data, consent cookie in force).
"""

from __future__ import annotations

import sys
import time
from io import StringIO
from pathlib import Path

from bench.harness import Result
from bench.http import Request, Server, ServerSpec, _consent_cookie, load_result, run_load

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def _logged_in_customer() -> tuple[str, int]:
    """A session cookie of the demo customer with the most orders, and how many they have."""
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from accounts.models import Role, User

    def busiest() -> User | None:
        return (
            User.objects.filter(role=Role.CUSTOMER)
            .annotate(n=Count("orders", distinct=True))
            .filter(n__gt=0)
            .order_by("-n", "date_joined")
            .first()
        )

    customer = busiest()
    if customer is None:  # no generated data set: the demo customers and their orders
        call_command("demo", "load", stdout=StringIO())
        customer = busiest()
    assert customer is not None
    client = Client()
    client.force_login(customer)
    return client.cookies["sessionid"].value, int(customer.n)  # type: ignore[attr-defined]


def page_rendering(*, var_dir: Path, full: bool, spec: ServerSpec | None = None) -> list[Result]:
    spec = spec or ServerSpec()
    session, orders = _logged_in_customer()
    consent = _consent_cookie()
    first_visit = (("User-Agent", BROWSER), ("Accept-Language", "en"))
    customer = (*first_visit, ("Cookie", f"sessionid={session}; pledge_consent={consent}"))
    pages = [
        ("home page, first visit", Request("GET", "/", headers=first_visit)),
        ("privacy policy, first visit", Request("GET", "/privacy/", headers=first_visit)),
        (f"order list, logged-in customer ({orders} orders)", Request("GET", "/orders/", headers=customer)),
    ]
    seconds = 15.0 if full else 5.0
    concurrency = 8
    results = []
    with Server(spec, var_dir=var_dir) as server:
        baseline = run_load(
            server,
            Request("GET", "/bench/minimal/", headers=first_visit),
            concurrency=concurrency,
            seconds=seconds,
        )
        for label, request in pages:
            run = run_load(server, request, concurrency=concurrency, seconds=seconds)
            if run.failed:
                raise RuntimeError(f"{label}: {run.failed} of {run.requests} requests failed")
            results.append(
                load_result(
                    name=f"pages: {label} under load",
                    subject=run,
                    baseline=baseline,
                    baseline_name="minimal view, same server and load",
                    target="",
                    server=spec,
                )
            )
    return results


def run_all(*, full: bool, var_dir: Path) -> list[Result]:
    started = time.perf_counter()
    results = page_rendering(var_dir=var_dir, full=full)
    print(f"page benchmarks: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return results
