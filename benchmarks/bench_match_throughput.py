"""Benchmark: bulk name matching, 1,000,000 queries against >= 50,000 list names.

    python benchmarks/bench_match_throughput.py --list 50000 --queries 1000000

Measured in the same run, on the same machine:
- derisk: build the index, then match every query (distinct queries once, both cores);
  names/s end to end and peak memory (largest process, and parent plus workers).
- logic-v2 (nomenklatura, in benchmarks/.venv-peer), on a sample of queries, twice:
  (a) the candidates derisk's index retrieves for each query (up to 20, as a search-backed
      matcher such as yente scores every retrieved candidate);
  (b) only the pairs derisk itself scores after its short-cuts (a name found as it is known
      needs no other candidate).
  Its names/s is the sample's queries over the time to score those pairs; retrieval for
  logic-v2 is not counted at all, which favours it.
- rapidfuzz brute force: for a sample of queries, ``process.extractOne`` over every list name
  with WRatio; names/s.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_names import list_names, query_names  # noqa: E402

PEER_PYTHON = HERE / ".venv-peer" / "bin" / "python"
PEER_SCRIPT = HERE / "matching" / "peer_logic_v2.py"

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from synthetic_names import list_names, query_names
from derisk.kb.model import Entity
from derisk.resolve.bulk import match_many
from derisk.resolve.index import NameIndex
n_list, n_queries, workers = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
names = list_names(n_list)
queries = query_names(names, n_queries)
t0 = time.perf_counter()
index = NameIndex(Entity(id=f"e{i}", name=n, sources=["synthetic"]) for i, n in enumerate(names))
t1 = time.perf_counter()
found = match_many(queries, index, workers=workers)
t2 = time.perf_counter()
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({
    "index_s": t1 - t0, "match_s": t2 - t1, "matched": sum(f is not None for f in found),
    "distinct": len(set(queries)), "aliases": len(index), "peak_mb": me, "worker_peak_mb": kids,
}))
"""


def derisk_run(n_list: int, n_queries: int, workers: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(HERE), str(n_list), str(n_queries), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def candidate_pairs(
    n_list: int, sample: list[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(every retrieved candidate, only those derisk scores) for each sample query."""
    from derisk.kb.model import Entity
    from derisk.resolve.index import NameIndex
    from derisk.resolve.normalize import name_key

    names = list_names(n_list)
    index = NameIndex(Entity(id=f"e{i}", name=n, sources=["s"]) for i, n in enumerate(names))
    retrieved, scored = [], []
    for q in sample:
        key = name_key(q)
        retrieved.extend((q, index.refs[i].name) for i in index.candidates(key, 20))
        direct, fuzzy = index.split_candidates(key, 5, always_fuzzy=False)
        scored.extend((q, index.refs[i].name) for i in (direct or fuzzy))
    return retrieved, scored


def peer_run(pairs: list[tuple[str, str]]) -> float | None:
    """Seconds logic-v2 spends scoring ``pairs`` after its warm-up (None if not installed)."""
    if not PEER_PYTHON.exists() or not PEER_SCRIPT.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pairs.csv"
        with src.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["name1", "name2", "schema"])
            for a, b in pairs:
                w.writerow([a, b, "Company"])
        done = subprocess.run(
            [str(PEER_PYTHON), str(PEER_SCRIPT), str(src), "--out", str(Path(tmp) / "out.csv")],
            capture_output=True,
            text=True,
            check=True,
        )
    for line in done.stderr.splitlines():
        if line.startswith("TIMING "):
            return float(json.loads(line[len("TIMING ") :])["seconds"])
    raise RuntimeError("the peer script reported no timing")


def brute_force(n_list: int, sample: list[str]) -> float:
    from rapidfuzz import fuzz, process

    names = list_names(n_list)
    t = time.perf_counter()
    for q in sample:
        process.extractOne(q, names, scorer=fuzz.WRatio)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--list", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peer-sample", type=int, default=2_000)
    parser.add_argument("--brute-sample", type=int, default=200)
    args = parser.parse_args()
    d = derisk_run(args.list, args.queries, args.workers)
    rate = args.queries / d["match_s"]
    print(
        f"derisk: {args.queries:,} queries ({d['distinct']:,} distinct) against "
        f"{d['aliases']:,} list names; index {d['index_s']:.1f} s; "
        f"match {d['match_s']:.1f} s = {rate:,.0f} names/s; {d['matched']:,} matched; "
        f"peak {d['peak_mb']:.0f} MB (workers {d['worker_peak_mb']:.0f} MB each)"
    )
    sample = query_names(list_names(args.list), args.peer_sample, seed=99)
    retrieved, scored = candidate_pairs(args.list, sample)
    for label, pairs in (("retrieved candidates", retrieved), ("derisk's scored pairs", scored)):
        peer_s = peer_run(pairs)
        if peer_s is None:
            print("logic-v2: peer virtualenv not found (run benchmarks/setup_peer.sh)")
            break
        peer_rate = len(sample) / peer_s
        print(
            f"logic-v2 on {label}: {len(pairs):,} pairs for {len(sample):,} queries "
            f"({len(pairs) / len(sample):.1f} per query) in {peer_s:.1f} s = "
            f"{len(pairs) / peer_s:,.0f} pairs/s = {peer_rate:,.0f} names/s (one core); "
            f"derisk is {rate / peer_rate:,.1f}x faster"
        )
    brute = query_names(list_names(args.list), args.brute_sample, seed=98)
    brute_s = brute_force(args.list, brute)
    brute_rate = len(brute) / brute_s
    print(
        f"rapidfuzz brute force (WRatio over all {args.list:,} names): "
        f"{brute_rate:,.1f} names/s; derisk is {rate / brute_rate:,.0f}x faster"
    )


if __name__ == "__main__":
    main()
