"""Benchmark: exporter screening of N generated order lines; compare with only reading them.

    python benchmarks/bench_orders.py --rows 20000 --repeat 5

Order lines mix catalogue chips and systems (by name), figures-only lines, non-chip products,
destinations from every Country Group, headquarters, ship dates from 2022 to 2026 and customers:
real Entity List and military-end-user names from ../shared/data (when present) and invented
clear ones. Prints medians over the repeats (this machine is noisy) and the ratio of the
screen to reading and checking the same file with derisk's own order-book reader, measured in
the same run; also lines per second and the number of distinct (product, date, destination,
customer) classifications the cache saved.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from derisk.classify.catalogue import load_catalogue
from derisk.classify.controls import load_controls
from derisk.kb.loader import load_bundled
from derisk.kb.model import Dealing
from derisk.orders import read_orders
from derisk.profile import Profile
from derisk.screening.exporter import screen_orders
from derisk.screening.pipeline import ScreenContext

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DESTINATIONS = ["CN", "HK", "MO", "SG", "DE", "VN", "AE", "IN", "RU", "US", "JP", "SA", "MY", "KH"]
CLEAR = ["Pemberton Quarry Ltd", "Nordlicht Rechenzentrum GmbH", "Kestrel Labs Inc", "Acme Corp"]
OTHER_PRODUCTS = ["Patch cable 2m", "Rack PDU", "Software support", "Optical transceiver"]


def customers() -> list[str]:
    names = [*CLEAR, "Huawei Technologies Co., Ltd.", "Shanghai Biren Technology Co., Ltd."]
    path = SHARED / "os-bis-mieu" / "bis_mieu.csv"
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            names += [row["Name"] for row in csv.DictReader(fh)][:200]
    return names


def write_orders(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    cat = load_catalogue()
    products = [c.name for c in cat.chips.values()] + [s.name for s in cat.systems.values()]
    names = customers()
    start = date(2022, 6, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Order ID", "Product", "FP8", "Die Area", "Customer", "HQ Country",
                    "Destination", "Qty", "Ship Date"])  # fmt: skip
        for i in range(rows):
            kind = rng.random()
            product, fp8, die = rng.choice(products), "", ""
            if kind < 0.1:
                product, fp8, die = "", f"{rng.uniform(100, 2500):.1f}", str(rng.randint(300, 900))
            elif kind < 0.2:
                product = rng.choice(OTHER_PRODUCTS)
            ship = start + timedelta(days=rng.randrange(1600))
            w.writerow([
                f"SO-{i}", product, fp8, die, rng.choice(names),
                rng.choice(["", "", "CN", "US", "SG"]), rng.choice(DESTINATIONS),
                rng.randint(1, 64), ship.isoformat(),
            ])  # fmt: skip


def median_time(fn: object, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()
    kb, controls, catalogue = load_bundled(), load_controls(), load_catalogue()
    profile = Profile(countries=["US"], sector="exporter")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        write_orders(path, args.rows, args.seed)
        read_s, book = median_time(lambda: read_orders(path), args.repeat)
        table = book.table  # type: ignore[attr-defined]

        def screen() -> object:
            ctx = ScreenContext.build(kb, profile, date(2026, 11, 29), dealing=Dealing.SELL)
            return screen_orders(table, ctx, controls, catalogue)

        screen_s, result = median_time(screen, args.repeat)
    findings = result.findings  # type: ignore[attr-defined]
    lines = result.lines  # type: ignore[attr-defined]
    required = sum(1 for x in lines if x["license_required"])
    print(f"order lines            {args.rows:,}  (repeat {args.repeat}, medians)")
    print(f"read + check (derisk)  {read_s:8.3f} s")
    print(f"exporter screen        {screen_s:8.3f} s   {args.rows / screen_s:,.0f} lines/s")
    print(f"ratio screen / read    {screen_s / read_s:8.1f} x")
    print(f"findings               {len(findings):,}; lines needing a licence {required:,}")
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
