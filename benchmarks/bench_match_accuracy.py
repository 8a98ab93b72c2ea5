"""Name-matching accuracy: derisk's ``compare_names`` against nomenklatura's logic-v2 (peer).

    python benchmarks/bench_match_accuracy.py                       # held-out test split
    python benchmarks/bench_match_accuracy.py benchmarks/matching/pairs_dev.csv --sweep

Both systems see the same labelled organisation-name pairs (``name1,name2,schema,label,kind``;
made by ``benchmarks/matching/make_pairs.py``, documented in ``benchmarks/matching/README.md``).

* derisk: ``derisk.resolve.compare.compare_names(name1, name2)`` in this process; its ``.match``
  is the decision, ``.score`` (0..1) is used by ``--sweep``.
* peer: ``benchmarks/matching/peer_logic_v2.py`` in the peer virtualenv
  (``benchmarks/.venv-peer``, made by ``benchmarks/setup_peer.sh``), as a subprocess; its
  decision is ``score >= 0.70`` (yente's default threshold for logic-v2 scores).

Prints precision, recall, F1 and accuracy per system, recall per positive kind and false-positive
rate per negative kind, time per pair, and the ratio of the F1 scores. Tune on the dev split and
report the test split: thresholds chosen by looking at test figures are not held-out figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_PAIRS = HERE / "matching" / "pairs_test.csv"
PEER_SCRIPT = HERE / "matching" / "peer_logic_v2.py"
PEER_PYTHON = HERE / ".venv-peer" / "bin" / "python"
PEER_THRESHOLD = 0.70
SWEEP = [round(0.5 + 0.05 * i, 2) for i in range(10)]  # 0.50 .. 0.95


@dataclass
class Pair:
    name1: str
    name2: str
    schema: str
    label: bool
    kind: str


@dataclass
class Result:
    system: str
    scores: list[float]
    matches: list[bool]
    seconds: float  # scoring time for all pairs
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Metrics:
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        n = self.tp + self.fp + self.tn + self.fn
        return (self.tp + self.tn) / n if n else 0.0


def read_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Pair(
                r["name1"],
                r["name2"],
                r.get("schema") or "Organization",
                r["label"] == "1",
                r["kind"],
            )
            for r in csv.DictReader(fh)
        ]


def metrics(pairs: Sequence[Pair], predicted: Sequence[bool]) -> Metrics:
    tp = sum(p.label and m for p, m in zip(pairs, predicted, strict=True))
    fp = sum(not p.label and m for p, m in zip(pairs, predicted, strict=True))
    fn = sum(p.label and not m for p, m in zip(pairs, predicted, strict=True))
    return Metrics(tp, fp, len(pairs) - tp - fp - fn, fn)


def run_derisk(pairs: Sequence[Pair]) -> Result | None:
    try:
        from derisk.resolve.compare import compare_names  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        print(
            f"derisk: cannot import derisk.resolve.compare.compare_names ({exc}); "
            "scoring the peer only",
            file=sys.stderr,
        )
        return None
    compare: Callable[[str, str], Any] = compare_names
    compare("Warm Up Trading Co., Ltd.", "Warm-Up Trading Company Limited")  # load data files
    scores: list[float] = []
    matches: list[bool] = []
    start = time.perf_counter()
    for p in pairs:
        res = compare(p.name1, p.name2)
        scores.append(float(res.score))
        matches.append(bool(res.match))
    return Result("derisk", scores, matches, time.perf_counter() - start)


def run_peer(
    pairs_path: Path, pairs: Sequence[Pair], python: Path, threshold: float
) -> Result | None:
    if not python.exists():
        print(
            f"peer: {python} not found; run `bash benchmarks/setup_peer.sh` to compare "
            "against logic-v2",
            file=sys.stderr,
        )
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "peer_scores.csv"
        cmd = [str(python), str(PEER_SCRIPT), str(pairs_path), "--out", str(out)]
        cmd += ["--threshold", str(threshold)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"peer failed ({proc.returncode}):\n{proc.stderr}", file=sys.stderr)
            return None
        with out.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    timing: dict[str, Any] = {}
    for line in proc.stderr.splitlines():
        if line.startswith("TIMING "):
            timing = json.loads(line[len("TIMING ") :])
    if len(rows) != len(pairs) or any(
        r["name1"] != p.name1 for r, p in zip(rows, pairs, strict=False)
    ):
        print("peer: output does not line up with the pairs file", file=sys.stderr)
        return None
    scores = [float(r["score"]) for r in rows]
    return Result(
        "logic-v2",
        scores,
        [s >= threshold for s in scores],
        float(timing.get("seconds", 0.0)),
        timing,
    )


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def report(pairs: Sequence[Pair], results: Sequence[Result], sweep: bool) -> dict[str, Any]:
    n = len(pairs)
    pos = sum(p.label for p in pairs)
    print(f"{n} pairs: {pos} positive, {n - pos} negative")
    summary: dict[str, Any] = {"pairs": n, "positives": pos, "systems": {}}
    print()
    cols = ["P", "R", "F1", "acc"]
    print(
        f"{'system':10}" + "".join(f" {c:>6}" for c in cols) + f" {'TP':>5} {'FP':>5} {'FN':>5}",
        end="",
    )
    print(f" {'us/pair':>8}")
    for res in results:
        m = metrics(pairs, res.matches)
        us = res.seconds / n * 1e6 if n else 0.0
        print(
            f"{res.system:10} {_pct(m.precision)} {_pct(m.recall)} {_pct(m.f1)} {_pct(m.accuracy)} "
            f"{m.tp:5} {m.fp:5} {m.fn:5} {us:8.1f}"
        )
        summary["systems"][res.system] = {
            "precision": m.precision,
            "recall": m.recall,
            "f1": m.f1,
            "accuracy": m.accuracy,
            "tp": m.tp,
            "fp": m.fp,
            "fn": m.fn,
            "us_per_pair": us,
            **({"info": res.info} if res.info else {}),
        }
    if len(results) == 2:
        a, b = (metrics(pairs, r.matches).f1 for r in results)
        ratio = a / b if b else float("inf")
        print(f"\nF1 ratio {results[0].system} / {results[1].system}: {ratio:.3f}")
        summary["f1_ratio"] = ratio

    kinds = sorted({p.kind for p in pairs}, key=lambda k: (not k.startswith("pos"), k))
    print("\nper kind: recall for positive kinds, false-positive rate for negative kinds (%)")
    header = f"{'kind':24} {'label':>5} {'n':>5}" + "".join(f" {r.system:>9}" for r in results)
    print(header)
    summary["kinds"] = {}
    for kind in kinds:
        idx = [i for i, p in enumerate(pairs) if p.kind == kind]
        label = pairs[idx[0]].label
        row = f"{kind:24} {int(label):>5} {len(idx):>5}"
        summary["kinds"][kind] = {"label": int(label), "n": len(idx)}
        for res in results:
            rate = sum(res.matches[i] for i in idx) / len(idx)
            row += f" {_pct(rate):>9}"
            summary["kinds"][kind][res.system] = rate
        print(row)

    if sweep:
        print("\nF1 (%) by score threshold (score >= t); the systems' own decisions are above")
        print(f"{'t':>5}" + "".join(f" {r.system:>9}" for r in results))
        for t in SWEEP:
            row = f"{t:5.2f}"
            for res in results:
                row += f" {_pct(metrics(pairs, [s >= t for s in res.scores]).f1):>9}"
            print(row)
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("pairs", nargs="?", type=Path, default=DEFAULT_PAIRS)
    ap.add_argument("--sweep", action="store_true", help="F1 at score thresholds 0.50..0.95")
    ap.add_argument("--no-peer", action="store_true", help="skip logic-v2")
    ap.add_argument("--no-derisk", action="store_true", help="skip derisk")
    ap.add_argument("--peer-python", type=Path, default=PEER_PYTHON)
    ap.add_argument("--peer-threshold", type=float, default=PEER_THRESHOLD)
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args(argv)

    pairs = read_pairs(args.pairs)
    print(f"pairs file: {args.pairs}")
    results: list[Result] = []
    if not args.no_derisk:
        res = run_derisk(pairs)
        if res:
            results.append(res)
    if not args.no_peer:
        res = run_peer(args.pairs, pairs, args.peer_python, args.peer_threshold)
        if res:
            results.append(res)
            info = res.info
            print(
                f"peer: logic-v2 (nomenklatura {info.get('nomenklatura')}, followthemoney "
                f"{info.get('followthemoney')}, rigour {info.get('rigour')}), threshold "
                f"{args.peer_threshold}, {info.get('pairs_per_s')} pairs/s after a "
                f"{info.get('warmup_seconds')} s warm-up"
            )
    if not results:
        print("nothing to score", file=sys.stderr)
        return 1
    summary = report(pairs, results, args.sweep)
    if args.json:
        summary["pairs_file"] = str(args.pairs)
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
