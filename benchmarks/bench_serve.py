"""Benchmark: ``POST /api/v1/match`` under load; compare with the matcher called in-process.

    python benchmarks/bench_serve.py --requests 2000 --concurrency 50 --repeat 3
    python benchmarks/bench_serve.py --client raw    # a load generator that costs ~no CPU

Starts a real ``derisk serve`` on loopback in a subprocess (SQLite state in a scratch
directory, a fresh knowledge-base store), after creating an admin and an API key with
``derisk users create-admin --api-key`` against the same database. Each request matches a
batch of ``--batch`` names drawn (seeded) from realistic vendor spellings: Huawei, ZTE,
Hikvision ... in legal-form, case, script and typo variants, clear vendors (Nokia, Ericsson)
and look-alikes, and 30% unknown suppliers that match nothing (bench_screen.py's mix).

Measured in the same run, as medians over the repeats:
- HTTP at ``--concurrency`` clients (asyncio + httpx.AsyncClient with keep-alive, or with
  ``--client raw`` plain HTTP/1.1 on asyncio streams), bounded by ``--requests`` and
  ``--duration``, after ``--warmup`` requests: latency p50/p95/p99, requests/s, names/s,
  non-2xx count (must be 0; printed), and the CPU time per request of the server process and
  of the load generator, and how busy the server was (100% = one core);
- HTTP at one client (``--single-requests``): the per-request overhead without queueing;
- peer: ``Engine.load(kb).match(batch, country=None, threshold=None, top=3)`` in this process
  on the same batches, one after another: per-batch latency percentiles and names/s;
- the parts of one request timed alone in this process (matching, FastAPI's encoding of the
  answer, JSON rendering, the API-key look-up, a thread-pool hand-off).
The server is always stopped at the end; the exit status is 1 if any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_screen import VENDORS  # noqa: E402

# Run the CLI with this interpreter (no reliance on a ``derisk`` script on PATH).
_MAIN = "import sys; from derisk.cli.app import main; sys.argv[0] = 'derisk'; main()"
CLI = [sys.executable, "-c", _MAIN]
PASSWORD = "bench-serve-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def batches(count: int, size: int, seed: int) -> list[list[str]]:
    """``count`` batches of ``size`` names: 70% known spellings, 30% unknown suppliers."""
    rng = random.Random(seed)
    unknown = [
        f"Supplier {rng.randrange(10**6):06d} {rng.choice(['GmbH', 'Ltd', 'Inc.', 'SA'])}"
        for _ in range(3000)
    ]
    return [
        [rng.choice(VENDORS) if rng.random() < 0.7 else rng.choice(unknown) for _ in range(size)]
        for _ in range(count)
    ]


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def db_url(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'serve.sqlite3'}"


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str, str, Path]:
    url = db_url(tmp)
    env = os.environ | {"DERISK_ADMIN_PASSWORD": PASSWORD}
    admin = ["users", "create-admin", "--email", "bench@example.org", "--api-key"]
    made = subprocess.run(
        [*CLI, *admin, "--database-url", url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = next(w for w in made.stdout.split() if w.startswith("drk_"))
    port = free_port()
    log = tmp / "server.log"
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*CLI, *serve, "--database-url", url, "--db", str(tmp / "kb.duckdb")],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, f"http://127.0.0.1:{port}/api/v1", key, log


def wait_ready(proc: subprocess.Popen[bytes], base: str, key: str, log: Path) -> float:
    began = time.perf_counter()
    headers = {"Authorization": f"Bearer {key}"}
    while time.perf_counter() - began < 180:
        if proc.poll() is not None:
            sys.exit(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/kb/version", headers=headers, timeout=2).status_code == 200:
                return time.perf_counter() - began
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"the server did not become ready:\n{log.read_text()[-3000:]}")


class RawConnection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (``--client raw``): a load
    generator that costs the 2-core machine almost no CPU, so the server's limit shows."""

    def __init__(self, base: str, key: str) -> None:
        url = httpx.URL(base)
        self.host, self.port, self.prefix = url.host, url.port or 80, url.path.rstrip("/")
        self.head = f"Host: {self.host}\r\nAuthorization: Bearer {key}\r\n"
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, payload: Any) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        body = json.dumps(payload).encode("utf-8")
        writer.write(
            f"POST {self.prefix}{path} HTTP/1.1\r\n{self.head}Content-Type: application/json"
            f"\r\nContent-Length: {len(body)}\r\n\r\n".encode("ascii")
            + body
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(":", 1) for line in head[1:] if ":" in line)
        data = await reader.readexactly(int(fields["content-length"]))
        return int(head[0].split()[1]), data

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def load(
    base: str,
    key: str,
    work: list[list[str]],
    *,
    requests: int,
    concurrency: int,
    duration: float,
    server_pid: int,
    client_kind: str,
) -> dict[str, Any]:
    """``requests`` POST /match (batch i % len(work)) from ``concurrency`` clients."""
    latencies: list[float] = []
    errors: list[tuple[int, str]] = []
    names = 0
    issued = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=120) as c:

        async def post(raw: RawConnection | None, batch: list[str]) -> tuple[int, bytes]:
            payload = {"names": batch, "top": 3}
            if raw is not None:
                return await raw.post("/match", payload)
            r = await c.post("/match", json=payload)
            return r.status_code, r.content

        async def client() -> None:
            nonlocal names, issued
            raw = RawConnection(base, key) if client_kind == "raw" else None
            try:
                while issued < requests and time.perf_counter() < deadline:
                    batch = work[issued % len(work)]
                    issued += 1
                    sent = time.perf_counter()
                    try:
                        status, body = await post(raw, batch)
                    except (httpx.TransportError, OSError, asyncio.IncompleteReadError) as exc:
                        latencies.append(time.perf_counter() - sent)
                        errors.append((0, f"{type(exc).__name__}: {exc}"))
                        if raw is not None:
                            raw.close()
                        continue
                    latencies.append(time.perf_counter() - sent)
                    if 200 <= status < 300 and len(json.loads(body)["results"]) == len(batch):
                        names += len(batch)
                    else:
                        errors.append((status, body[:300].decode("utf-8", "replace")))
            finally:
                if raw is not None:
                    raw.close()

        server_cpu, my_cpu = cpu_seconds(server_pid), time.process_time()
        began = time.perf_counter()
        deadline = began + duration
        await asyncio.gather(*(client() for _ in range(concurrency)))
        wall = time.perf_counter() - began
        server_after = cpu_seconds(server_pid)
        client_cpu = time.process_time() - my_cpu
    done = len(latencies)
    server_s = None if server_cpu is None or server_after is None else server_after - server_cpu
    return {
        "p50": pct(latencies, 50) * 1e3,
        "p95": pct(latencies, 95) * 1e3,
        "p99": pct(latencies, 99) * 1e3,
        "rps": done / wall,
        "names_s": names / wall,
        "requests": done,
        "errors": errors,
        "wall": wall,
        "server_cpu_ms": None if server_s is None else server_s / done * 1e3,
        "server_busy": None if server_s is None else server_s / wall * 100,
        "client_cpu_ms": client_cpu / done * 1e3,
    }


def in_process(engine: Any, work: list[list[str]]) -> dict[str, Any]:
    latencies = []
    began = time.perf_counter()
    for batch in work:
        t = time.perf_counter()
        engine.match(batch, country=None, threshold=None, top=3)
        latencies.append(time.perf_counter() - t)
    wall = time.perf_counter() - began
    return {
        "p50": pct(latencies, 50) * 1e3,
        "p95": pct(latencies, 95) * 1e3,
        "p99": pct(latencies, 99) * 1e3,
        "rps": len(work) / wall,
        "names_s": sum(map(len, work)) / wall,
        "requests": len(work),
        "errors": [],
        "server_cpu_ms": None,
        "server_busy": None,
        "client_cpu_ms": None,
    }


def parts(engine: Any, work: list[list[str]], url: str, key: str) -> list[tuple[str, float]]:
    """What one request's work costs, each part timed alone in this process (ms, median of
    5 passes over the batches): the matching, FastAPI's encoding of the answer, rendering it
    as JSON, the API-key look-up in the state database, one thread-pool hand-off."""
    import anyio.to_thread
    from fastapi.encoders import jsonable_encoder
    from fastapi.responses import JSONResponse

    from derisk.serve.db.store import StateStore

    store = StateStore.open(url, migrate_now=False)
    answers = [{"results": engine.match(b, country=None, threshold=None, top=3)} for b in work]

    async def hops(n: int) -> None:
        for _ in range(n):
            await anyio.to_thread.run_sync(int)

    def timed(step: Any) -> float:
        passes = []
        for _ in range(5):
            began = time.perf_counter()
            for i in range(len(work)):
                step(i)
            passes.append((time.perf_counter() - began) / len(work) * 1e3)
        return float(statistics.median(passes))

    def match(i: int) -> object:
        return engine.match(work[i], country=None, threshold=None, top=3)

    try:
        found = [
            ("Engine.match (the peer), ms", timed(match)),
            ("FastAPI jsonable_encoder(answer), ms", timed(lambda i: jsonable_encoder(answers[i]))),
            ("JSONResponse(answer) (json.dumps), ms", timed(lambda i: JSONResponse(answers[i]))),
            ("API-key look-up (SQLite), ms", timed(lambda i: store.user_for_api_key(key))),
        ]
    finally:
        store.close()
    began = time.perf_counter()
    asyncio.run(hops(2000))
    found.append(
        ("one thread-pool hand-off (anyio), ms", (time.perf_counter() - began) / 2000 * 1e3)
    )
    found.append(
        ("answer size, kB", statistics.mean(len(JSONResponse(a).body) for a in answers) / 1e3)
    )
    return found


def med(runs: list[dict[str, Any]], field: str) -> float | None:
    values = [r[field] for r in runs if r[field] is not None]
    return float(statistics.median(values)) if values else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000, help="requests per loaded run")
    ap.add_argument("--concurrency", type=int, default=50, help="concurrent clients")
    ap.add_argument("--duration", type=float, default=60.0, help="cap per run, seconds")
    ap.add_argument("--batch", type=int, default=10, help="names per request")
    ap.add_argument("--single-requests", type=int, default=300, help="1-client run; 0: skip")
    ap.add_argument("--warmup", type=int, default=200, help="requests before measuring")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument(
        "--client",
        choices=["httpx", "raw"],
        default="httpx",
        help="load generator: httpx.AsyncClient, or raw HTTP/1.1 on asyncio streams",
    )
    args = ap.parse_args()

    from derisk.serve.engine import Engine

    work = batches(max(args.requests, args.single_requests, args.warmup, 1), args.batch, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="derisk-bench-serve-"))
    proc: subprocess.Popen[bytes] | None = None
    loaded: list[dict[str, Any]] = []
    single: list[dict[str, Any]] = []
    local: list[dict[str, Any]] = []
    try:
        began = time.perf_counter()
        proc, base, key, log = start_server(tmp)
        ready = wait_ready(proc, base, key, log)
        print(
            f"server ready {time.perf_counter() - began:.1f} s after start "
            f"(create-admin, then {ready:.1f} s: migrate, knowledge-base sync and load)"
        )
        engine = Engine.load(tmp / "kb.duckdb")  # the server has closed the store by now
        common = {"duration": args.duration, "server_pid": proc.pid, "client_kind": args.client}

        def run(requests: int, concurrency: int) -> dict[str, Any]:
            return asyncio.run(
                load(base, key, work, requests=requests, concurrency=concurrency, **common)
            )

        warm = run(args.warmup, args.concurrency)
        in_process(engine, work[: args.warmup])
        if warm["errors"]:
            print(f"warm-up errors: {warm['errors'][:3]}")
        for _ in range(args.repeat):
            loaded.append(run(args.requests, args.concurrency))
            if args.single_requests:
                single.append(run(args.single_requests, 1))
            local.append(in_process(engine, work[: args.requests]))
        costs = parts(engine, work[:200], db_url(tmp), key)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log_file = tmp / "server.log"
        problems = [
            line
            for line in (
                log_file.read_text(errors="replace") if log_file.exists() else ""
            ).splitlines()
            if "ERROR" in line or "Traceback" in line or "WARNING" in line
        ]
        shutil.rmtree(tmp, ignore_errors=True)
    for line in problems[:10]:
        print(f"server log: {line}")
    report(args, loaded, single, local, costs)


def report(
    args: argparse.Namespace,
    loaded: list[dict[str, Any]],
    single: list[dict[str, Any]],
    local: list[dict[str, Any]],
    costs: list[tuple[str, float]],
) -> None:
    rows = [(f"HTTP POST /match, {args.concurrency} clients", loaded)]
    if single:
        rows.append(("HTTP POST /match, 1 client", single))
    rows.append(("peer: Engine.match in-process", local))
    print(
        f"\n{args.batch} names per request, client {args.client}; median of {args.repeat} runs; "
        f"{med(loaded, 'requests'):,.0f} requests per loaded run ({med(loaded, 'wall'):.1f} s); "
        f"{cpu_count()} CPUs"
    )
    print(
        f"{'':36} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>6} {'names/s':>7} "
        f"{'non-2xx':>7} {'server ms':>9} {'busy %':>6} {'client ms':>9}"
    )

    def fmt(value: float | None, spec: str, width: int) -> str:
        return f"{'-' if value is None else format(value, spec):>{width}}"

    for label, runs in rows:
        print(
            f"{label:36} {med(runs, 'p50'):7.2f} {med(runs, 'p95'):7.2f} {med(runs, 'p99'):7.2f} "
            f"{med(runs, 'rps'):6.0f} {med(runs, 'names_s'):7.0f} "
            f"{sum(len(r['errors']) for r in runs):7d} "
            f"{fmt(med(runs, 'server_cpu_ms'), '.2f', 9)} "
            f"{fmt(med(runs, 'server_busy'), '.0f', 6)} "
            f"{fmt(med(runs, 'client_cpu_ms'), '.2f', 9)}"
        )
    print(
        "(server ms, client ms: CPU time per request of the server process and of this load "
        "generator;\n busy %: the server's CPU time over the wall time, 100 = one core)"
    )
    print("\nparts of one request, each timed alone in this process:")
    for label, value in costs:
        print(f"  {label:40} {value:7.3f}")
    peer_p50, peer_names = med(local, "p50"), med(local, "names_s")
    assert peer_p50 is not None and peer_names is not None
    print("\nratios against the in-process peer (same batches, same run):")
    for label, runs in rows[:-1]:
        p50, names = med(runs, "p50"), med(runs, "names_s")
        assert p50 is not None and names is not None
        print(
            f"  {label}: p50 {p50 / peer_p50:.1f}x the in-process p50; "
            f"names/s {names / peer_names:.2f} of in-process"
        )
    errors = [e for runs in (loaded, single) for r in runs for e in r["errors"]]
    for status, body in errors[:10]:
        print(f"non-2xx: {status} {body}")
    print(f"python {sys.version.split()[0]}, httpx {httpx.__version__}")
    if errors:
        sys.exit(1)


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main()
