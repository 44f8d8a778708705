"""A compact HTTP/1.1 load generator, for when wrk is not installed.

Run in its own process (`python -m bench.loadclient SPEC_JSON`) so that it does not share
an interpreter with the server or the harness. It keeps `concurrency` connections busy
for `seconds`, reusing a connection while the server keeps it alive (gthread workers)
and reconnecting when the server closes it (sync workers), and prints one JSON object:
every request's latency in milliseconds, the status counts and its own CPU time.

It measures from the request's first byte written to the response's last byte read, in
a closed loop (a new request as soon as the previous one answers), as wrk does.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from typing import Any


def _request_bytes(spec: dict[str, Any]) -> bytes:
    body = str(spec.get("body", "")).encode()
    lines = [f"{spec['method']} {spec['path']} HTTP/1.1", f"Host: {spec['host']}:{spec['port']}"]
    lines += [f"{name}: {value}" for name, value in spec.get("headers", [])]
    if body or spec["method"] in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, keep = 0, True
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, keep


async def _worker(
    spec: dict[str, Any], payload: bytes, until: float, latencies: list[float], statuses: dict[int, int]
) -> int:
    errors = 0
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < until:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
            assert reader is not None
            started = time.perf_counter()
            writer.write(payload)
            status, keep = await _read_response(reader)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if not keep:
                writer.close()
                writer = reader = None
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            if writer is not None:
                writer.close()
            writer = reader = None
    if writer is not None:
        writer.close()
    return errors


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    payload = _request_bytes(spec)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    until = started + float(spec["seconds"])
    errors = await asyncio.gather(
        *(_worker(spec, payload, until, latencies, statuses) for _ in range(int(spec["concurrency"])))
    )
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "latencies_ms": latencies,
        "statuses": {str(k): v for k, v in statuses.items()},
        "errors": sum(errors),
        "seconds": elapsed,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    print(json.dumps(asyncio.run(run(spec))))


if __name__ == "__main__":
    main()
