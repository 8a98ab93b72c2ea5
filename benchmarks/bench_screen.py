"""Benchmark: screen N generated inventory lines; compare with pyarrow just parsing the file.

    python benchmarks/bench_screen.py --rows 100000 --repeat 5

Prints medians over the repeats (this machine is noisy) and the ratio of each stage to the
time pyarrow.csv needs only to parse the same file, measured in the same run. Peak memory is
the maximum resident set size of a fresh process doing only that work.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

VENDORS = [
    # Restricted, as inventories really spell them (legal forms, case, scripts, typos).
    "Huawei Technologies Co., Ltd.",
    "HUAWEI TECH. CO LTD",
    "Huawei",
    "huawei technologies",
    "华为技术有限公司",
    "Huawai",
    "Hauwei",
    "HiSilicon",
    "Huawei Technologies Düsseldorf GmbH",
    "ZTE Corporation",
    "ZTE Corp.",
    "中兴通讯股份有限公司",
    "ZTE Corporaton",
    "Sanechips",
    "Hikvision",
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
    "Dahua Technology",
    "Hytera",
    "SMIC",
    "YMTC",
    "NVIDIA",
    "Inspur",
    # Clear vendors and look-alikes.
    "Ericsson",
    "Telefonaktiebolaget LM Ericsson",
    "Nokia",
    "Nokia Solutions and Networks",
    "Samsung Electronics",
    "Cisco Systems",
    "Juniper Networks",
    "Mavenir",
    "Parallel Wireless",
    "NEC Corporation",
    "Fujitsu",
    "Ciena",
    "Arista Networks",
    "ZTT",
    "Hua Hong Semiconductor",
    "Dell Technologies",
    "Hewlett Packard Enterprise",
    "Lenovo",
]
MODELS = [
    "NE40E-X8A",
    "OptiX OSN 9800",
    "BBU5900",
    "ZXR10 M6000",
    "Baseband 6630",
    "AirScale",
    "ASR 9000",
    "MX204",
    "iMaster NCE",
    "DS-2CD2143G2-I",
    "H100 SXM",
    "",
    "7750 SR-1",
]
DOMAINS = ["core", "ran", "transport", "management", "other", ""]
HEADER = "id,vendor,model,quantity,site,country,domain,technology,installed,unit_cost,currency\n"


def generate(path: Path, rows: int, synthetic_vendors: int = 3000, seed: int = 7) -> None:
    """Inventory lines: 70% name the vendors above (as spelled there), 30% one of
    ``synthetic_vendors`` made-up supplier names that match nothing (the costly case for
    name resolution: every distinct name is looked up in full)."""
    rng = random.Random(seed)
    synthetic = [
        f"Supplier {rng.randrange(10**6):06d} {rng.choice(['GmbH', 'Ltd', 'Inc.', 'SA'])}"
        for _ in range(synthetic_vendors)
    ]
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(rows):
            vendor = rng.choice(VENDORS) if rng.random() < 0.7 else rng.choice(synthetic)
            vendor = f'"{vendor}"' if "," in vendor else vendor
            day = date(2018 + rng.randrange(8), 1 + rng.randrange(12), 1 + rng.randrange(28))
            fh.write(
                f"R{i:07d},{vendor},{rng.choice(MODELS)},{rng.randrange(1, 50)},"
                f"SITE-{rng.randrange(2000):04d},DE,{rng.choice(DOMAINS)},"
                f"{rng.choice(['4g', '5g', ''])},{day.isoformat()},"
                f"{rng.randrange(100, 90000)},EUR\n"
            )


# Work done in a fresh process so its peak RSS is its own. Prints JSON timings.
CHILD = r"""
import json, resource, sys, time
from datetime import date
mode, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
if mode == "parse":
    import pyarrow.csv as pv
    for _ in range(repeat):
        t = time.perf_counter(); table = pv.read_csv(path); times.append(time.perf_counter() - t)
    extra = {"rows": table.num_rows}
else:
    from derisk.inventory import read_inventory
    from derisk.kb.loader import load_bundled
    from derisk.profile import Profile
    from derisk.screening.document import build_document
    from derisk.screening.pipeline import ScreenContext, screen_table
    kb = load_bundled()
    profile = Profile(countries=["DE"], sector="telecom", include_listed=mode != "binding")
    as_of = date(2027, 1, 1)
    read_t, screen_t, doc_t = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        inv = read_inventory(path)
        t1 = time.perf_counter()
        ctx = ScreenContext.build(kb, profile, as_of)  # fresh caches every repeat
        findings = screen_table(inv.table, ctx)
        t2 = time.perf_counter()
        if mode == "full":
            doc = build_document(findings=findings, records=inv.table, kb=kb, profile=profile,
                                 as_of=as_of, input_info={})
            json.dumps(doc, ensure_ascii=False)
        t3 = time.perf_counter()
        read_t.append(t1 - t0); screen_t.append(t2 - t1); doc_t.append(t3 - t2)
        times.append(t2 - t0)
    extra = {"read": read_t, "resolve_evaluate": screen_t, "document_json": doc_t,
             "findings": findings.num_rows}
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "peak_mb": peak_mb, **extra}))
"""


def child(mode: str, path: Path, repeat: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def med(values: object) -> float:
    assert isinstance(values, list)
    return float(statistics.median(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--synthetic-vendors", type=int, default=3000, help="distinct unknown vendor names"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.csv"
        t = time.perf_counter()
        generate(path, args.rows, args.synthetic_vendors)
        print(
            f"generated {args.rows:,} lines, {len(VENDORS) + args.synthetic_vendors:,} vendor "
            f"names ({path.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - t:.1f} s"
        )
        parse = child("parse", path, args.repeat)
        screen = child("screen", path, args.repeat)
        binding = child("binding", path, args.repeat)
        full = child("full", path, max(1, args.repeat // 2))
    base = med(parse["times"])
    rows = [
        ("pyarrow.csv.read_csv (peer: parse only)", base, parse["peak_mb"]),
        ("derisk read_inventory (parse + validate)", med(screen["read"]), None),
        ("derisk resolve + evaluate", med(screen["resolve_evaluate"]), None),
        ("derisk screen (read + resolve + evaluate)", med(screen["times"]), screen["peak_mb"]),
        (
            "  + JSON document of all findings",
            med(full["times"]) + med(full["document_json"]),
            full["peak_mb"],
        ),
        (
            f"screen --no-listed ({binding['findings']:,} findings)",
            med(binding["times"]),
            binding["peak_mb"],
        ),
    ]
    print(f"\nmedian of {args.repeat} runs; findings: {screen['findings']:,}")
    print(f"{'stage':46} {'median s':>9} {'x parse':>8} {'peak MB':>8}")
    for name, seconds, peak in rows:
        peak_text = f"{peak:8.0f}" if isinstance(peak, float) else f"{'':8}"
        print(f"{name:46} {seconds:9.3f} {seconds / base:8.1f} {peak_text}")


if __name__ == "__main__":
    main()
