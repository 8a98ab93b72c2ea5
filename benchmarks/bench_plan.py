"""Benchmark: plan the replacement of 10,000 flagged items over 500 sites; compare with EDF.

    python benchmarks/bench_plan.py --items 10000 --sites 500 --time-limit 45 --repeat 3

A synthetic German operator: 500 sites in 10 regions (RAN and transport at every site, core at
14 of them, management at 5 network operations centres), Huawei and ZTE equipment flagged with
removal deadlines by site (one site in fifty already overdue, the others between mid-2028 and
end-2030; management end-2029); 3 crews per region
and month, a quarterly budget, a year-end blackout, vendor lead times, and dependencies (core
before RAN at a site, everything before management). Prints, as medians over the repeats, the
optimiser's wall time, status and optimality gap, and its missed days, weighted missed days
and cost against the earliest-deadline-first heuristic's on the same problem, in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from typing import Any

from derisk.kb.loader import load_bundled
from derisk.plan.costs import load_cost_model
from derisk.plan.model import Resources
from derisk.plan.run import PlanInput, make_plan
from derisk.profile import Profile

DEADLINES = ["2026-12-31", "2028-06-30", "2028-12-31", "2029-06-30", "2029-12-31", "2030-12-31"]
RULE = "de-5g-bsig-9b-2024.ran"


def synthetic(
    items: int, sites: int, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    names = [f"S{n:04d}" for n in range(sites)]
    domains = ["ran"] * 6 + ["transport"] * 3 + ["core"] * 1
    for i in range(items):
        site = rng.choice(names)
        domain = rng.choice(domains)
        if domain == "core" and int(site[1:]) % 37:
            domain = "ran"  # core equipment sits at 14 sites only
        if rng.random() < 0.01:
            site, domain = f"NOC-{int(site[1:]) % 5}", "management"
        rid = f"R{i:05d}"
        records.append(
            {
                "row": i + 2,
                "record_id": rid,
                "vendor": "Huawei",
                "site": site,
                "country": "DE",
                "domain": domain,
                "kind": None,
                "quantity": rng.randint(1, 6),
                "unit_cost": None,
                "currency": None,
            }
        )
        # A rule's deadline depends on what and where the equipment is, not on the record: by
        # site, one site in fifty already overdue, management at the end of 2029.
        code = sum(map(ord, site))
        deadline = DEADLINES[0] if code % 50 == 0 else DEADLINES[1 + code % 5]
        if domain == "management":
            deadline = DEADLINES[-2]
        status = "overdue" if deadline < "2027-01-01" else "remove_by"
        findings.append(
            {
                "record_id": rid,
                "row": i + 2,
                "entity_id": rng.choice(["huawei", "zte"]),
                "rule_id": RULE,
                "status": status,
                "deadline": deadline,
            }
        )
    return records, findings


def resources(sites: int) -> Resources:
    return Resources.model_validate(
        {
            "start": "2027-01-04",
            "horizon_months": 72,
            "currency": "EUR",
            "fx": {"USD": 0.96},
            "crews": {"default": 1},
            "durations_weeks": {"ran": 1, "transport": 2, "core": 8, "management": 4},
            "budget": {"per_quarter": 40_000_000},
            "blackouts": [{"from": "2027-12-13", "to": "2028-01-07"}],
            "vendors": {
                "default": {"lead_time_weeks": 12},
                "ericsson": {"lead_time_weeks": 16},
                "samsung-electronics": {"lead_time_weeks": 20, "cost_factor": 0.95},
            },
            "sites": {f"S{n:04d}": f"region-{n % 10}" for n in range(sites)},
            "dependencies": [
                {"first": ["core"], "then": ["ran"], "scope": "site"},
                {"first": ["core", "ran", "transport"], "then": ["management"], "scope": "network"},
            ],
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--time-limit", type=float, default=45.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    kb = load_bundled()
    records, findings = synthetic(args.items, args.sites, args.seed)
    res = resources(args.sites)
    costs = load_cost_model(res.currency, res.fx)
    inp = PlanInput(
        records,
        findings,
        kb,
        Profile(countries=["DE"], sector="telecom"),
        date(2027, 1, 1),
        {"file": "synthetic", "records": len(records)},
    )
    runs = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        doc = make_plan(
            inp,
            res,
            costs,
            start=date(2027, 1, 4),
            time_limit=args.time_limit,
            workers=args.workers,
            compare=True,
        )
        runs.append((time.perf_counter() - began, doc))
    wall = statistics.median(r[0] for r in runs)
    doc = sorted(runs, key=lambda r: r[0])[len(runs) // 2][1]
    s, h, solver = doc["summary"], doc["heuristic"], doc["solver"]
    print(
        f"items {args.items:,}  sites {args.sites}  jobs {s['jobs']:,}  "
        f"(repeat {args.repeat}, medians; time limit {args.time_limit:g} s)"
    )
    print(
        f"plan end to end        {wall:8.1f} s   (optimiser {solver['wall_s']:.1f} s, "
        f"status {solver['status']}, gap {solver['gap']:.2%})"
    )
    print(f"{'':22} {'optimiser':>14} {'EDF heuristic':>14} {'ratio':>8}")
    for label, mine, theirs in (
        ("missed jobs", s["missed"], h["missed_jobs"]),
        ("missed days", s["missed_days"], h["missed_days"]),
        ("weighted missed days", s["weighted_missed_days"], h["weighted_missed_days"]),
        ("cost (EUR)", s["cost"], h["cost"]),
    ):
        ratio = f"{mine / theirs:.3f}" if theirs else "-"
        print(f"{label:22} {mine:>14,} {theirs:>14,} {ratio:>8}")
    for line in doc["shortfalls"]["text"]:
        print(f"shortfall: {line}")
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
