"""HTTP benchmarks: a reusable load runner, consent recording, and the consent check's cost.

The runner starts gunicorn on a free loopback port against the benchmark's prepared
database (the same PLEDGE_VAR_DIR or DATABASE_URL as the in-process benchmarks), warms it
up, then keeps a fixed number of connections busy for a fixed time and reports the median,
p95 and p99 latency and the requests per second. The load comes from wrk when it is
installed (`make wrk` installs Debian's package) and otherwise from bench/loadclient.py in
its own process. Both the server's and the generator's CPU time are read from /proc and
getrusage, so a result also says what one request costs the server in CPU, and how many
requests per second this machine's cores could serve were the generator elsewhere.

The servers run as production would (DEBUG off, the request-log writer thread on), with
bench.settings: the project's settings plus a minimal view as a baseline, and the consent
check switchable from the environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import Result, percentile

ROOT = Path(__file__).resolve().parent.parent
CSRF = "benchcsrfsecretbenchcsrfsecret00"  # a 32-character CSRF secret, sent as cookie and header
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- The server -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSpec:
    """How gunicorn is started. Each field maps to a gunicorn flag."""

    # Sync workers, as gunicorn advises behind a buffering proxy: on this machine they served
    # the minimal view at ~2,600 req/s against ~1,250 for gthread 2x2 (wrk, c=16).
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 2
    keepalive: int = 5
    env: tuple[tuple[str, str], ...] = ()

    def argv(self, port: int) -> list[str]:
        argv = ["-w", str(self.workers), "-k", self.worker_class, "--keep-alive", str(self.keepalive)]
        if self.worker_class == "gthread":
            argv += ["--threads", str(self.threads)]
        return [*argv, "-b", f"127.0.0.1:{port}", "pledge.wsgi:application"]

    @property
    def command(self) -> str:
        """The command line, as docs/operations.md quotes it."""
        return "gunicorn " + " ".join(self.argv(8000))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(var_dir: Path, extra: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PLEDGE_ENV="development",  # a real server: no test shortcuts, keys from the key folder
        DEBUG="0",
        WEBLOG_BACKGROUND="1",
        DJANGO_SETTINGS_MODULE="bench.settings",
        PLEDGE_VAR_DIR=str(var_dir),
        PLEDGE_MEDIA_ROOT=str(var_dir / "uploads"),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    env.update(dict(extra))
    return env


class Server:
    """A gunicorn master and its workers, started and stopped by the benchmark."""

    def __init__(self, spec: ServerSpec, *, var_dir: Path) -> None:
        self.spec = spec
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server; closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [sys.executable, "-m", "gunicorn", "--log-level", "warning", *spec.argv(self.port)],
            cwd=ROOT,
            env=server_environment(var_dir, spec.env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.base}/bench/minimal/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        self.log.seek(0)
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read().decode(errors='replace')[-3000:]}")

    def pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *(int(child) for child in children)]

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far (user + system)."""
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- The load ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""


@dataclass
class LoadRun:
    generator: str
    concurrency: int
    seconds: float
    requests: int
    failed: int  # connection errors, timeouts and responses of 400 and above
    rps: float
    median_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu_ms: float  # server CPU per request
    generator_cpu_ms: float  # generator CPU per request
    extra: dict[str, float] = field(default_factory=dict)

    def capacity(self, cores: int | None = None) -> float:
        """Requests per second these cores would serve with the server alone on them."""
        cores = cores or os.cpu_count() or 1
        return cores * 1000 / self.server_cpu_ms if self.server_cpu_ms else 0.0


def load_average() -> float:
    """The 1-minute load average: on a shared 2-core machine, what else ran beside the run."""
    return os.getloadavg()[0]


def database_vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def generator_name() -> str:
    return "wrk" if shutil.which("wrk") else "python"


WRK_SCRIPT = """
wrk.method = {method}
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("REQS %d\\n", summary.requests))
  io.write(string.format("FAILED %d\\n", e.connect + e.read + e.write + e.status + e.timeout))
  io.write(string.format("DURATION %d\\n", summary.duration))
  for _, p in pairs({{50, 95, 99}}) do
    io.write(string.format("P%d %f\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for our ASCII values


def _run_wrk(base: str, request: Request, *, concurrency: int, seconds: float) -> dict[str, float]:
    headers = "\n".join(f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in request.headers)
    script = WRK_SCRIPT.format(method=_lua(request.method), body=_lua(request.body), headers=headers)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        argv = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "5s"]
        cpu_before = _children_cpu()
        out = subprocess.run(  # noqa: S603 - wrk from the system's packages
            [*argv, "-s", handle.name, base + request.path], capture_output=True, text=True, check=True
        ).stdout
        cpu = _children_cpu() - cpu_before
    finally:
        os.unlink(handle.name)
    values = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        if key in {"REQS", "FAILED", "DURATION", "P50", "P95", "P99"}:
            values[key] = float(value)
    if "REQS" not in values:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    return {**values, "SECONDS": values["DURATION"] / 1e6, "CPU": cpu}


def _children_cpu() -> float:
    """CPU time of this process's finished children (the generator, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_python(base: str, request: Request, *, concurrency: int, seconds: float) -> dict[str, float]:
    port = int(base.rsplit(":", 1)[1])
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "method": request.method,
        "path": request.path,
        "headers": list(request.headers),
        "body": request.body,
        "concurrency": concurrency,
        "seconds": seconds,
    }
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.loadclient", json.dumps(spec)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    latencies = data["latencies_ms"] or [0.0]
    failed = data["errors"] + sum(n for code, n in data["statuses"].items() if int(code) >= 400)
    return {
        "REQS": float(len(data["latencies_ms"])),
        "FAILED": float(failed),
        "SECONDS": data["seconds"],
        "P50": statistics.median(latencies),
        "P95": percentile(latencies, 0.95),
        "P99": percentile(latencies, 0.99),
        "CPU": data["cpu_seconds"],
    }


def run_load(
    server: Server,
    request: Request,
    *,
    concurrency: int,
    seconds: float,
    warmup: float = 2.0,
    generator: str | None = None,
) -> LoadRun:
    """Warm up, then load the server for `seconds` at `concurrency` connections."""
    generator = generator or generator_name()
    drive = _run_wrk if generator == "wrk" else _run_python
    if warmup:
        drive(server.base, request, concurrency=concurrency, seconds=warmup)
    load_before = load_average()
    before = server.cpu_seconds()
    values = drive(server.base, request, concurrency=concurrency, seconds=seconds)
    server_cpu = server.cpu_seconds() - before
    requests = int(values["REQS"]) or 1
    return LoadRun(
        generator=generator,
        concurrency=concurrency,
        seconds=values["SECONDS"],
        requests=int(values["REQS"]),
        failed=int(values["FAILED"]),
        rps=values["REQS"] / values["SECONDS"],
        median_ms=values["P50"],
        p95_ms=values["P95"],
        p99_ms=values["P99"],
        server_cpu_ms=server_cpu * 1000 / requests,
        generator_cpu_ms=values["CPU"] * 1000 / requests,
        extra={"load average before": load_before, "load average after": load_average()},
    )


def load_result(
    *, name: str, subject: LoadRun, baseline: LoadRun, baseline_name: str, target: str, server: ServerSpec
) -> Result:
    """A Result row for a load run against a baseline run in the same server."""
    result = Result(
        name=name,
        unit="ms",
        median=subject.median_ms,
        p95=subject.p95_ms,
        baseline=baseline_name,
        baseline_median=baseline.median_ms,
        ratio=subject.median_ms / baseline.median_ms if baseline.median_ms else float("inf"),
        target=target,
    )
    result.extra.update(
        {
            "req/s": subject.rps,
            "p99 ms": subject.p99_ms,
            "baseline req/s": baseline.rps,
            "throughput ratio": baseline.rps / subject.rps if subject.rps else float("inf"),
            "failed": float(subject.failed),
            "server CPU ms/req": subject.server_cpu_ms,
            "generator CPU ms/req": subject.generator_cpu_ms,
            "req/s per core (server CPU)": 1000 / subject.server_cpu_ms if subject.server_cpu_ms else 0.0,
            "concurrency": float(subject.concurrency),
            "generator": subject.generator,
            "server": server.command,
            "database": database_vendor(),
            "load average (1 min) before": subject.extra.get("load average before", 0.0),
            "load average (1 min) after": subject.extra.get("load average after", 0.0),
        }
    )
    return result


# --- Consent: recording a choice, and the check in the request path ---------------------


def consent_post(method: str = "accept_all") -> Request:
    """A first visit's choice through the JSON API, with its CSRF token: a new record each time."""
    return Request(
        "POST",
        "/api/consent/",
        headers=(
            ("Content-Type", "application/json"),
            ("Cookie", f"csrftoken={CSRF}"),
            ("X-CSRFToken", CSRF),
            ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"),
        ),
        body=json.dumps({"method": method}),
    )


def consent_recording(*, var_dir: Path, full: bool, spec: ServerSpec | None = None) -> Result:
    """Record choices over HTTP at a fixed concurrency; proves every 201 left a committed row."""
    from privacy.consent.models import ConsentRecord

    spec = spec or ServerSpec()
    seconds = 20.0 if full else 8.0
    concurrency = 16
    before = ConsentRecord.objects.count()
    with Server(spec, var_dir=var_dir) as server:
        subject = run_load(server, consent_post(), concurrency=concurrency, seconds=seconds)
        baseline = run_load(
            server, Request("GET", "/bench/minimal/"), concurrency=concurrency, seconds=seconds
        )
        # Each 201 answered after its record was committed: the rows are there once the
        # server has stopped (warm-up requests included, so at least the measured ones).
    recorded = ConsentRecord.objects.count() - before
    result = load_result(
        name="consent: record a choice over HTTP (POST /api/consent/)",
        subject=subject,
        baseline=baseline,
        baseline_name="minimal view, same server and load",
        target="≥ 1,000 req/s, p99 < 50 ms",
        server=spec,
    )
    result.extra["records committed"] = float(recorded)
    if recorded < subject.requests - subject.failed:
        raise RuntimeError(f"{subject.requests - subject.failed} choices answered but {recorded} recorded")
    return result


def _consent_cookie() -> str:
    """A valid consent cookie (a choice in force), as a returning visitor sends it."""
    from privacy.consent.actions import Circumstances, payload_for, record_choice
    from privacy.consent.models import Method

    record = record_choice(method=Method.ACCEPT_ALL, circumstances=Circumstances(language="en"))
    return payload_for(record).encode()


def _start_response(
    status: str, headers: list[tuple[str, str]], exc_info: Any = None
) -> Callable[[bytes], object]:
    return lambda data: None


def consent_check_in_process(*, rounds: int) -> list[Result]:
    """The consent middleware's cost, measured in this process through Django's WSGI handler:
    the same request with PLEDGE_CONSENT_CHECK on and off, interleaved request by request."""
    import io

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    from bench.harness import compare
    from privacy.consent.state import COOKIE_NAME

    cookie = f"{COOKIE_NAME}={_consent_cookie()}"
    switch: Any = settings  # set directly, not through override_settings: no signal per request
    results = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["127.0.0.1"]):
        handler = WSGIHandler()

        def call(path: str, cookies: str) -> None:
            environ = {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": path,
                "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": "127.0.0.1",
                "HTTP_HOST": "127.0.0.1",
                "HTTP_COOKIE": cookies,
                "wsgi.input": io.BytesIO(),
                "wsgi.errors": sys.stderr,
                "wsgi.url_scheme": "http",
            }
            response = handler(environ, _start_response)
            b"".join(response)
            response.close()

        for label, path, cookies in (
            ("a returning visitor (consent cookie), minimal view", "/bench/minimal/", cookie),
            ("a first visit (no cookie), minimal view", "/bench/minimal/", ""),
        ):

            def with_check(path: str = path, cookies: str = cookies) -> None:
                switch.PLEDGE_CONSENT_CHECK = True
                call(path, cookies)

            def without_check(path: str = path, cookies: str = cookies) -> None:
                switch.PLEDGE_CONSENT_CHECK = False
                call(path, cookies)

            result, subject, baseline = compare(
                name=f"consent: check in the request path — {label}",
                subject=with_check,
                baseline=without_check,
                baseline_name="same request, PLEDGE_CONSENT_CHECK=False",
                rounds=rounds,
                warmup=50,
                target="adds < 0.2 ms (median)",
            )
            paired = sorted(s - b for s, b in zip(subject, baseline, strict=True))
            result.extra["added ms (median)"] = result.median - result.baseline_median
            result.extra["added ms (median of pairs)"] = statistics.median(paired)
            results.append(result)
        del switch.PLEDGE_CONSENT_CHECK
    return results


def consent_check_over_http(*, var_dir: Path, full: bool) -> Result:
    """The same check over HTTP: two identical servers, one with the check switched off,
    loaded alternately at concurrency 1 so that the machine's noise falls on both."""
    cookie = f"pledge_consent={_consent_cookie()}"
    request = Request("GET", "/bench/minimal/", headers=(("Cookie", cookie),))
    spec = ServerSpec(workers=1, worker_class="sync")
    off_spec = ServerSpec(workers=1, worker_class="sync", env=(("PLEDGE_CONSENT_CHECK", "0"),))
    rounds = 5 if full else 3
    on_runs: list[LoadRun] = []
    off_runs: list[LoadRun] = []
    with Server(spec, var_dir=var_dir) as on, Server(off_spec, var_dir=var_dir) as off:
        for _ in range(rounds):
            on_runs.append(run_load(on, request, concurrency=1, seconds=3.0, warmup=0.5))
            off_runs.append(run_load(off, request, concurrency=1, seconds=3.0, warmup=0.5))
    on_median = statistics.median(r.median_ms for r in on_runs)
    off_median = statistics.median(r.median_ms for r in off_runs)
    result = Result(
        name="consent: check in the request path over HTTP (returning visitor, minimal view)",
        unit="ms",
        median=on_median,
        p95=statistics.median(r.p95_ms for r in on_runs),
        baseline="same request, server with PLEDGE_CONSENT_CHECK=0",
        baseline_median=off_median,
        ratio=on_median / off_median if off_median else float("inf"),
        target="adds < 0.2 ms (median)",
    )
    result.extra.update(
        {
            "added ms (median)": on_median - off_median,
            "added server CPU ms/req": statistics.median(r.server_cpu_ms for r in on_runs)
            - statistics.median(r.server_cpu_ms for r in off_runs),
            "server": spec.command,
            "generator": on_runs[0].generator,
        }
    )
    return result


@contextlib.contextmanager
def _timed(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"{label}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def run_all(*, full: bool, var_dir: Path) -> list[Result]:
    with _timed("consent HTTP benchmarks"):
        results = consent_check_in_process(rounds=20_000 if full else 5_000)
        results.append(consent_check_over_http(var_dir=var_dir, full=full))
        results.append(consent_recording(var_dir=var_dir, full=full))
    return results
