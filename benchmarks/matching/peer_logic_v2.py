"""Score name pairs with OpenSanctions' nomenklatura ``logic-v2`` matcher (the peer).

Runs INSIDE the peer virtualenv (``benchmarks/setup_peer.sh`` creates
``benchmarks/.venv-peer``), never in derisk's own environment:

    benchmarks/.venv-peer/bin/python benchmarks/matching/peer_logic_v2.py \\
        benchmarks/matching/pairs_test.csv --out /tmp/peer_scores.csv

For each row of a pairs CSV (``name1,name2,schema,...``) it builds two FollowTheMoney entities
of the row's schema, each with a unique id (nomenklatura caches by entity id) and only the
``name`` property, and scores ``LogicV2.compare(query=name1 entity, result=name2 entity)`` with
the algorithm's default configuration. It writes ``name1,name2,score,match`` rows, where
``match`` is ``score >= threshold``.

Threshold: nomenklatura's matchers return a score and no decision. The decision threshold that
OpenSanctions applies to logic-v2 scores is yente's ``SCORE_THRESHOLD = 0.70``
(``yente/settings.py``; ``match = score >= threshold`` in ``yente/data/common.py``), which is
also the default ``threshold`` of the hosted /match API. That is the default here.

The last line on stderr is ``TIMING {json}`` with the number of pairs, the seconds spent in
``compare``, pairs per second and microseconds per pair. Two warm-up comparisons per schema
come first and is reported apart (``warmup_seconds``): it loads rigour's name data, and for
``LegalEntity`` names without an organisation marker also person-name data, about 4 s once.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

from followthemoney import model  # type: ignore[import-not-found]
from nomenklatura.matching import LogicV2  # type: ignore[import-not-found]

DEFAULT_THRESHOLD = 0.70  # yente SCORE_THRESHOLD


def make_entity(entity_id: str, schema: str, name: str):  # type: ignore[no-untyped-def]
    entity = model.make_entity(schema)
    entity.id = entity_id
    entity.add("name", name)
    return entity


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("pairs", type=Path, help="pairs CSV (name1,name2,schema,...)")
    ap.add_argument("--out", type=Path, help="output CSV (default: stdout)")
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = ap.parse_args(argv)

    with args.pairs.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    config = LogicV2.default_config()
    entities = [
        (
            make_entity(f"q{i}", row.get("schema") or "Organization", row["name1"]),
            make_entity(f"r{i}", row.get("schema") or "Organization", row["name2"]),
        )
        for i, row in enumerate(rows)
    ]
    # warm-up, per schema in the file and not counted in the per-pair time: the first
    # comparison loads rigour's name data, and the first LegalEntity name without an
    # organisation marker ("Northwind Works") loads person-name data as well (about 4 s)
    warm_start = time.perf_counter()
    warm_pairs = [
        ("Warm Up Trading Co., Ltd. 7th Branch", "Warm-Up Trading Company Limited"),
        ("Northwind Works", "Acme Pacific"),
    ]
    for schema in sorted({row.get("schema") or "Organization" for row in rows}):
        for k, (query, result) in enumerate(warm_pairs):
            LogicV2.compare(
                make_entity(f"warmup-q{k}-{schema}", schema, query),
                make_entity(f"warmup-r{k}-{schema}", schema, result),
                config,
            )
    warm_seconds = time.perf_counter() - warm_start
    scores: list[float] = []
    start = time.perf_counter()
    for query, result in entities:
        scores.append(LogicV2.compare(query, result, config).score)
    seconds = time.perf_counter() - start

    out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["name1", "name2", "score", "match"])
        for row, score in zip(rows, scores, strict=True):
            writer.writerow(
                [row["name1"], row["name2"], f"{score:.6f}", int(score >= args.threshold)]
            )
    finally:
        if args.out:
            out.close()
    n = len(rows)
    timing = {
        "algorithm": LogicV2.NAME,
        "nomenklatura": version("nomenklatura"),
        "followthemoney": version("followthemoney"),
        "rigour": version("rigour"),
        "threshold": args.threshold,
        "pairs": n,
        "warmup_seconds": round(warm_seconds, 3),
        "seconds": round(seconds, 4),
        "pairs_per_s": round(n / seconds, 1) if seconds else None,
        "us_per_pair": round(seconds / n * 1e6, 1) if n else None,
    }
    print("TIMING " + json.dumps(timing), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
