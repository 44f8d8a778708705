"""How much the request log costs: the middleware's added latency, and the writer's rows/s.

Run on a throw-away database (it migrates one):

    PLEDGE_VAR_DIR=$(mktemp -d) PLEDGE_ENV=test PYTHONPATH=src \\
        DJANGO_SETTINGS_MODULE=pledge.settings .venv/bin/python -m weblog.bench

Latency is measured twice: the middleware alone around a trivial view (the clean
figure), and the whole stack through Django's test client with and without it. Wall
time and CPU time are both shown: on a busy machine the wall time includes waiting for a
CPU, the CPU time does not.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import django

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from weblog.consent import EngineConsentGate, FixedConsentGate, using_consent_gate  # noqa: E402
from weblog.middleware import RequestLogMiddleware  # noqa: E402
from weblog.writer import Captured, discard_request_log, flush_request_log, record_request  # noqa: E402

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.109 Safari/537.36"
)
AGENTS = (
    CHROME,
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1",
)


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<p>ok</p>", content_type="text/html")


urlpatterns = [path("page/", page)]


def _median_us(samples: list[int]) -> float:
    return statistics.median(samples) / 1000


def _p99_us(samples: list[int]) -> float:
    return sorted(samples)[int(len(samples) * 0.99)] / 1000


def _time_calls(
    handler: Callable[[HttpRequest], Any], requests: list[HttpRequest]
) -> tuple[list[int], list[int]]:
    wall, cpu = [], []
    for request in requests:
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        handler(request)
        cpu.append(time.process_time_ns() - started_cpu)
        wall.append(time.perf_counter_ns() - started)
    return wall, cpu


def _line(label: str, timed: tuple[list[int], list[int]]) -> str:
    wall, cpu = timed
    return f"  {label:34s} {_median_us(wall):8.2f} / {_p99_us(wall):9.2f}   cpu {_median_us(cpu):8.2f}"


def middleware_alone(calls: int) -> None:
    factory = RequestFactory()

    def fresh() -> list[HttpRequest]:
        requests: list[HttpRequest] = []
        for n in range(calls):
            request = factory.get(
                "/page/", REMOTE_ADDR=f"8.8.{n % 256}.{n // 256 % 256}", HTTP_USER_AGENT=CHROME
            )
            request.user = AnonymousUser()
            requests.append(request)
        return requests

    bare = _time_calls(page, fresh())
    logged = RequestLogMiddleware(page)
    with override_settings(WEBLOG={**_settings(), "BUFFER_LIMIT": calls * 4}):
        with using_consent_gate(FixedConsentGate(performance=False, pixels=False)):
            fixed = _time_calls(logged, fresh())
        discard_request_log()
        with using_consent_gate(EngineConsentGate()):
            engine = _time_calls(logged, fresh())
        discard_request_log()
    print(f"middleware alone, {calls} calls around a trivial view (wall median / p99, cpu median; us)")
    print(_line("view only", bare))
    print(_line("+ RequestLogMiddleware (no gate)", fixed))
    print(_line("+ RequestLogMiddleware (consent)", engine))
    print(
        f"  added median wall: {_median_us(fixed[0]) - _median_us(bare[0]):.2f} us without the consent "
        f"question, {_median_us(engine[0]) - _median_us(bare[0]):.2f} us with it"
    )


def _settings() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.WEBLOG)


def full_stack(calls: int) -> None:
    from django.conf import settings

    without = [name for name in settings.MIDDLEWARE if name != "weblog.middleware.RequestLogMiddleware"]
    results: dict[str, tuple[list[int], list[int]]] = {}
    for label, middleware in (("without", without), ("with", list(settings.MIDDLEWARE))):
        with override_settings(
            ROOT_URLCONF=__name__, MIDDLEWARE=middleware, WEBLOG={**_settings(), "BUFFER_LIMIT": calls * 4}
        ):
            client = Client(REMOTE_ADDR="8.8.8.8", HTTP_USER_AGENT=CHROME)
            for _ in range(200):  # warm up
                client.get("/page/")
            wall, cpu = [], []
            for _ in range(calls):
                started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
                client.get("/page/")
                cpu.append(time.process_time_ns() - started_cpu)
                wall.append(time.perf_counter_ns() - started)
            results[label] = (wall, cpu)
            discard_request_log()
    print(f"whole stack through the test client, {calls} requests (wall median / p99, cpu median; us)")
    for label, timed in results.items():
        print(_line(f"{label} RequestLogMiddleware", timed))
    with_, without_ = results["with"], results["without"]
    print(
        f"  added median: wall {_median_us(with_[0]) - _median_us(without_[0]):.2f} us, "
        f"cpu {_median_us(with_[1]) - _median_us(without_[1]):.2f} us"
    )


def writer_throughput(rows: int) -> None:
    accounts = [uuid.uuid4() for _ in range(50)]
    discard_request_log()
    with override_settings(WEBLOG={**_settings(), "BUFFER_LIMIT": rows + 1}):
        for n in range(rows):
            record_request(
                Captured(
                    at=time.time(),
                    ip=f"{8 + n % 100}.{n % 250}.{n // 250 % 250}.{n % 200 + 1}",
                    user_agent=AGENTS[n % len(AGENTS)],
                    path=f"/orders/{n % 500}/",
                    query="",
                    method="GET",
                    status=200,
                    response_ms=3.5,
                    account_subject_id=accounts[n % 50] if n % 3 == 0 else None,
                    url_kwargs=None,
                    referer="",
                    analytics=False,
                )
            )
        started, started_cpu = time.perf_counter(), time.process_time()
        result = flush_request_log()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(
        f"writer: {result.written} rows ({result.failed} failed) in {elapsed:.2f} s wall = "
        f"{result.written / elapsed:,.0f} rows/s; {cpu:.2f} s cpu = {result.written / cpu:,.0f} rows/s of cpu"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("migrate", database="keys", verbosity=0)
    writer_throughput(100)  # warm up: load ua-parser and geoip2fast, create the day's key
    middleware_alone(20_000)
    full_stack(3000)
    writer_throughput(20_000)


if __name__ == "__main__":
    main()
