"""Vault benchmarks (issue 3): row encryption, blind-index look-up, file streaming."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.harness import Result, compare

ROW = {
    "username": "alice.chen",
    "email": "alice.chen@example.com",
    "registration_ip": "203.0.113.42",
    "consignee_name": "Alice Chen",
    "mobile_phone": "+8613800138000",
    "postal_code": "518126",
    "street": "Room 101, 2nd Building, Tianxin Industrial Zone",
    "city": "Shenzhen",
}


def row_encryption(*, rows: int, rounds: int) -> Result:
    """Seal and open the eight personal fields of a typical customer row, per row."""
    from privacy.vault.fields import open_value, seal_value
    from privacy.vault.keys import data_key

    subject = uuid.uuid4()
    key = data_key(subject, create=True).key
    labels = {name: f"accounts.user.{name}:{uuid.uuid4()}".encode() for name in ROW}
    values = {name: value.encode() for name, value in ROW.items()}

    def encrypt_decrypt() -> None:
        for _ in range(rows):
            for name, plaintext in values.items():
                blob = seal_value(key, subject, labels[name], plaintext)
                open_value(blob, labels[name]).decode()

    def copy_only() -> None:
        for _ in range(rows):
            for name, plaintext in values.items():
                blob = bytes(labels[name][:0]) + plaintext
                blob.decode()

    result, _, _ = compare(
        name="vault: encrypt + decrypt a customer row (8 fields)",
        subject=encrypt_decrypt,
        baseline=copy_only,
        baseline_name="same loop, no encryption",
        rounds=rounds,
        unit="µs/row",
        scale=1e6 / rows,
        target="≥ 20,000 rows/s",
    )
    result.extra["rows/s"] = 1e6 / result.median
    return result


def blind_index_lookup(*, users: int, rounds: int) -> Result:
    """Log-in look-up by e-mail through the blind index against a plain unique-index look-up."""
    from django.db import transaction

    from accounts.models import User
    from privacy.api import blind_index

    # Top the accounts up to `users` (a run's rights bench erases some customers, so a rerun
    # may find fewer); bench users made by an earlier run are reused, not made twice.
    existing = User.objects.count()
    made: list[str] = []
    with transaction.atomic():
        n = existing
        while existing + len(made) < users:
            email = f"bench.user{n}@example.com"
            if User.objects.find(email) is None:
                User.objects.create_user(f"benchuser{n}", email, None)
                made.append(email)
            n += 1
    if made:  # probe one of the accounts made here
        email = made[len(made) // 2]
    else:  # a generated data set already held `users` accounts: probe one of its customers
        from pledge.demodata.plan import username_for

        email = f"{username_for(1, users // 4)}@Example.com"
    probe = User.objects.find(email)
    assert probe is not None
    subject_id = probe.subject_id

    def by_blind_index() -> None:
        User.objects.filter(email_index=blind_index(User, "email_index", email)).values_list("pk").first()

    def by_plain_index() -> None:
        User.objects.filter(subject_id=subject_id).values_list("pk").first()

    result, _, _ = compare(
        name=f"vault: log-in look-up by e-mail ({User.objects.count():,} users)",
        subject=by_blind_index,
        baseline=by_plain_index,
        baseline_name="plain unique-index look-up",
        rounds=rounds,
        target="within 2× of plain",
    )
    return result


FILE_SCRIPT = r"""
import json, os, sys, time, uuid
mode, size, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
chunk = os.urandom(1 << 20)
def source():
    left = size
    while left > 0:
        piece = chunk[: min(len(chunk), left)]
        left -= len(piece)
        yield piece
if mode == "vault":
    import django
    django.setup()
    from privacy.vault.files import save_file
    start = time.perf_counter()
    stored = save_file(uuid.uuid4(), source())
    written = time.perf_counter()
    total = sum(len(p) for p in stored.chunks())
else:
    start = time.perf_counter()
    path = os.path.join(folder, "plain.bin")
    with open(path, "wb") as out:
        for piece in source():
            out.write(piece)
        out.flush(); os.fsync(out.fileno())
    written = time.perf_counter()
    with open(path, "rb") as inp:
        total = 0
        while block := inp.read(1 << 16):
            total += len(block)
    os.remove(path)
end = time.perf_counter()
assert total == size, (total, size)
# VmHWM belongs to this process image (ru_maxrss would include the parent's, across fork).
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"write_s": written - start, "read_s": end - written, "peak_rss_mb": hwm / 1024}))
"""


def file_streaming(*, megabytes: int, rounds: int, var_dir: Path) -> Result:
    """Stream a file in and out through chunked encryption, in a fresh process per round."""
    size = megabytes << 20
    env = dict(os.environ)

    def run(mode: str) -> dict[str, float]:
        out = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", FILE_SCRIPT, mode, str(size), str(var_dir)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    vault_runs, plain_runs = [], []
    for _ in range(rounds):
        vault_runs.append(run("vault"))
        plain_runs.append(run("plain"))

    def mbps(runs: list[dict[str, float]], key: str) -> list[float]:
        return sorted(megabytes / r[key] for r in runs)

    write = mbps(vault_runs, "write_s")
    read = mbps(vault_runs, "read_s")
    plain_write = mbps(plain_runs, "write_s")
    median = write[len(write) // 2]
    base = plain_write[len(plain_write) // 2]
    result = Result(
        name=f"vault: stream a {megabytes} MB file in (encrypt + write)",
        unit="MB/s",
        median=median,
        p95=write[0],  # the slowest 5 % of throughputs: the low end
        baseline="plain write + fsync of the same bytes",
        baseline_median=base,
        ratio=median / base,
        target="≥ 150 MB/s, flat memory",
    )
    result.extra["read+decrypt MB/s"] = read[len(read) // 2]
    result.extra["peak RSS MB (vault)"] = max(r["peak_rss_mb"] for r in vault_runs)
    result.extra["peak RSS MB (plain)"] = max(r["peak_rss_mb"] for r in plain_runs)
    return result


def run_all(*, full: bool, var_dir: Path) -> list[Result]:
    started = time.perf_counter()
    results = [
        row_encryption(rows=2000, rounds=15 if full else 7),
        blind_index_lookup(users=100_000 if full else 2_000, rounds=400 if full else 200),
        file_streaming(megabytes=200, rounds=3 if full else 1, var_dir=var_dir),
    ]
    print(f"vault benchmarks: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return results
