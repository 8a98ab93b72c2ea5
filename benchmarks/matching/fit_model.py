"""Fit the name-match model (logistic regression) on the development pairs.

    python benchmarks/matching/fit_model.py [--pairs benchmarks/matching/pairs_dev.csv] [--write]

Computes derisk's features for every pair, fits weights by L2-regularised logistic regression
(Newton's method; a few dozen features need no library), picks the threshold that maximises
F1 on the same pairs and the review band below it, and (with --write) stores the model in
src/derisk/data/names/match_model.yaml with its provenance. Evaluate on the held-out test
split with benchmarks/bench_match_accuracy.py, never on the pairs it was fitted on.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
from datetime import date
from pathlib import Path

import yaml

from derisk.resolve.normalize import name_key
from derisk.resolve.score import FEATURES, features

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "src" / "derisk" / "data" / "names" / "match_model.yaml"
L2 = 0.05  # on every weight but the intercept
# Directions the weights must take, from what each feature means: evidence for a match may
# not count against it (or the reverse) however the sample happens to fall. A weight fitted
# with the wrong sign is fixed at zero and the rest refitted.
SIGNS = {
    "exact": 1,
    "same_key": 1,
    "transliterated": 1,
    "similarity": 1,
    "acronym": 1,
    "legal_agree": 1,
    "excess_edits": -1,
    "short_mismatch": -1,
    "unmatched_max": -1,
    "unmatched_min": -1,
    "location_conflict": -1,
    "location_one_sided": -1,
    "number_conflict": -1,
    "legal_conflict": -1,
    "generic_only": -1,
    "generic_diff": -1,
    "substitution": -1,
}


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a is small and positive definite)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def fit(rows: list[list[float]], labels: list[int], iterations: int = 25) -> list[float]:
    """Weights [intercept, w1..wk] maximising the penalised log-likelihood."""
    k = len(rows[0]) + 1
    w = [0.0] * k
    for _ in range(iterations):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in zip(rows, labels, strict=True):
            xs = [1.0, *x]
            z = sum(wi * xi for wi, xi in zip(w, xs, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))
            for i in range(k):
                grad[i] += (p - y) * xs[i]
                if xs[i]:
                    for j in range(k):
                        hess[i][j] += p * (1 - p) * xs[i] * xs[j]
        for i in range(1, k):
            grad[i] += L2 * w[i]
            hess[i][i] += L2
        for i in range(k):
            hess[i][i] += 1e-9
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def fit_signed(rows: list[list[float]], labels: list[int], names: list[str]) -> list[float]:
    """:func:`fit` with the weights held to :data:`SIGNS` (active set: clamp, refit)."""
    free = list(range(len(names)))
    while True:
        w = fit([[r[i] for i in free] for r in rows], labels)
        full = [w[0]] + [0.0] * len(names)
        for pos, i in enumerate(free):
            full[i + 1] = w[pos + 1]
        wrong = [i for i in free if full[i + 1] * SIGNS.get(names[i], 0) < 0]
        if not wrong:
            return full
        worst = max(wrong, key=lambda i: abs(full[i + 1]))
        free.remove(worst)


def best_threshold(scores: list[float], labels: list[int]) -> tuple[float, float]:
    best = (0.0, 0.5)
    for t in [x / 100 for x in range(30, 96)]:
        tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= t and y)
        fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= t and not y)
        fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < t and y)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        best = max(best, (f1, t))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=Path, default=ROOT / "benchmarks/matching/pairs_dev.csv")
    parser.add_argument("--write", action="store_true", help="write the fitted model")
    args = parser.parse_args()
    with args.pairs.open(encoding="utf-8") as fh:
        pairs = list(csv.DictReader(fh))
    names = [
        f for f in FEATURES if f not in ("country_agree", "country_conflict", "identifier_match")
    ]
    rows, labels = [], []
    for p in pairs:
        v = features(name_key(p["name1"]), name_key(p["name2"]))
        rows.append([v[n] for n in names])
        labels.append(int(p["label"]))
    w = fit_signed(rows, labels, names)
    scores = [
        1
        / (
            1
            + math.exp(
                -max(min(w[0] + sum(a * b for a, b in zip(w[1:], x, strict=True)), 35.0), -35.0)
            )
        )
        for x in rows
    ]
    f1, threshold = best_threshold(scores, labels)
    print(f"fitted on {len(pairs)} pairs; in-sample F1 {f1:.3f} at threshold {threshold:.2f}")
    for name, weight in zip(["intercept", *names], w, strict=True):
        print(f"  {name:20} {weight:+.3f}")
    if args.write:
        # Fixed, documented priors for features the pairs cannot teach (no countries or
        # identifiers in them): agreement helps a little, conflict hurts, a shared LEI decides.
        weights = {n: round(x, 4) for n, x in zip(names, w[1:], strict=True)}
        weights.update({"country_agree": 0.5, "country_conflict": -2.0, "identifier_match": 8.0})
        doc = {
            "intercept": round(w[0], 4),
            "weights": weights,
            "threshold": threshold,
            "review": round(max(0.05, threshold - 0.25), 2),
            "provenance": {
                "method": "L2-regularised logistic regression (Newton), fit_model.py",
                "pairs": str(args.pairs.relative_to(ROOT)),
                "pairs_sha256": hashlib.sha256(args.pairs.read_bytes()).hexdigest()[:16],
                "n_pairs": len(pairs),
                "in_sample_f1": round(f1, 4),
                "fitted_on": date.today().isoformat(),
                "fixed_priors": "country_agree, country_conflict, identifier_match",
            },
        }
        header = MODEL.read_text(encoding="utf-8").split("intercept:")[0]
        MODEL.write_text(header + yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        print(f"wrote {MODEL.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
