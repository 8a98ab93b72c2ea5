"""ECCN determination: 3A090.a/.b/.c for chips, 4A090.a/.b for systems, as of a date.

Every threshold test is recorded as a :class:`Step` with the numbers compared, so a
classification can be read back as the argument that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from derisk.classify.controls import Controls
from derisk.classify.metrics import ChipSpec, tpp_terms
from derisk.classify.rules_model import Alternative, Condition, ParameterSet

__all__ = ["ChipResult", "Step", "classify_chip", "classify_system", "holds", "metric"]

_OPS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
_UNITS = {
    "pd": "",
    "tpp": "",
    "interconnect_gbps": " GB/s",
    "memory_bandwidth_gbps": " GB/s",
    "bandwidth_density": " GB/s/mm2",
}


@dataclass(frozen=True)
class Step:
    rule: str  # rule id (parameter set, geography, ...)
    text: str
    result: bool | None = None  # the test's outcome; None for a computation or no decision
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, "result": self.result, "values": self.values}


@dataclass(frozen=True)
class ChipResult:
    spec: ChipSpec
    eccn: str  # 3A090.a | 3A090.b | 3A090.c | not_3A090
    note2_applies: bool
    steps: list[Step]
    sources: list[str]


def metric(spec: ChipSpec, name: str) -> float | None:
    if name == "tpp" and not spec.dense_tops:
        return None  # no throughput figures: TPP is unknown, not zero
    value = getattr(spec, name)
    return float(value) if value is not None else None


def _test(c: Condition, spec: ChipSpec) -> tuple[bool | None, str]:
    value = metric(spec, c.metric)
    shown = f"{c.metric} {_OPS[c.op]} {c.value:g}{_UNITS[c.metric]}"
    if value is None:
        return None, f"{shown}: unknown (no figure)"
    ok = {
        "ge": value >= c.value,
        "gt": value > c.value,
        "le": value <= c.value,
        "lt": value < c.value,
    }[c.op]
    return ok, f"{c.metric} {value:,.2f} {_OPS[c.op]} {c.value:g}{_UNITS[c.metric]}: {ok}"


def holds(alt: Alternative, spec: ChipSpec) -> tuple[bool | None, list[str]]:
    """All conditions of an alternative: True, False, or None when a figure is missing."""
    if alt.kind != spec.kind:
        return False, [f"applies to {alt.kind} only"]
    results = [_test(c, spec) for c in alt.all]
    texts = [t for _, t in results]
    if any(r is False for r, _ in results):
        return False, texts
    if any(r is None for r, _ in results):
        return None, texts
    return True, texts


def _tpp_step(spec: ChipSpec) -> Step:
    terms = tpp_terms(spec.dense_tops)
    if not terms:
        return Step("tpp", "TPP: no dense throughput figures given", None, {"tpp": 0})
    best = spec.tpp_precision
    shown = ", ".join(
        f"{p} {spec.dense_tops[p]:g} x {int(terms[p] / spec.dense_tops[p])} = {terms[p]:,.1f}"
        for p in terms
    )
    text = f"TPP = max(dense TOPS x bit length) = {spec.tpp:,.1f} ({best}); terms: {shown}"
    return Step("tpp", text, None, {"tpp": round(spec.tpp, 2), "precision": best, "terms": terms})


def _pd_step(spec: ChipSpec) -> Step:
    if spec.pd is None:
        return Step("pd", "performance density: unknown (no die area)", None, {"pd": None})
    text = f"PD = TPP / die area = {spec.tpp:,.1f} / {spec.die_area_mm2:g} mm2 = {spec.pd:.3f}"
    return Step("pd", text, None, {"pd": round(spec.pd, 4), "die_area_mm2": spec.die_area_mm2})


def _apply(ps: ParameterSet, spec: ChipSpec, steps: list[Step]) -> tuple[str | None, bool, bool]:
    """(ECCN or None, Note 2 applied, some test could not be decided for a missing figure)."""
    undecided = False
    for rule in ps.eccns:
        for n, alt in enumerate(rule.any_of, start=1):
            ok, texts = holds(alt, spec)
            if ok is None:
                undecided = True
                steps.append(
                    Step(
                        ps.id, f"{rule.eccn} test {n} cannot be decided: " + "; ".join(texts), None
                    )
                )
                continue
            steps.append(Step(ps.id, f"{rule.eccn} test {n}: " + "; ".join(texts), ok))
            if ok:
                if (
                    ps.note2_tpp_below is not None
                    and rule.eccn in ("3A090.a", "3A090.b")
                    and not spec.datacenter
                    and spec.tpp < ps.note2_tpp_below
                ):
                    steps.append(
                        Step(
                            ps.id,
                            f"Note 2: not designed or marketed for datacenters "
                            f"and TPP {spec.tpp:,.1f} < {ps.note2_tpp_below:g}: "
                            "3A090 does not apply",
                            True,
                        )
                    )
                    return None, True, False
                return rule.eccn, False, False
    return None, False, undecided


def classify_chip(spec: ChipSpec, on: date, controls: Controls) -> ChipResult:
    steps = [_tpp_step(spec), _pd_step(spec)]
    if spec.bandwidth_density is not None:
        steps.append(
            Step(
                "bandwidth_density",
                f"memory bandwidth density = "
                f"{spec.memory_bandwidth_gbps:g} GB/s / {spec.hbm_area_mm2:g} mm2 = "
                f"{spec.bandwidth_density:.3f} GB/s/mm2",
                None,
            )
        )
    in_force = [ps for ps in controls.rules.parameter_sets if ps.in_force(on)]
    if not in_force:
        steps.append(Step("date", f"no 3A090 parameters were in force on {on}", None))
    eccn: str | None = None
    note2 = False
    unknown = False
    sources: list[str] = []
    for ps in in_force:
        got, n2, undecided = _apply(ps, spec, steps)
        note2 = note2 or n2
        unknown = unknown or undecided
        sources.extend(ps.sources)
        if got is not None and eccn is None:
            eccn = got
    if eccn is None and unknown and not note2:
        steps.append(Step("result", "undetermined: a figure the tests need is missing", None))
        eccn = "undetermined"
    return ChipResult(spec, eccn or "not_3A090", note2, steps, list(dict.fromkeys(sources)))


def classify_system(
    name: str, parts: list[tuple[ChipResult, int]], datacenter: bool = True
) -> tuple[str, list[Step]]:
    """4A090.a/.b for computers, assemblies and components containing 3A090.a/.b chips."""
    steps = []
    eccns = {r.eccn for r, _ in parts}
    for r, count in parts:
        steps.append(Step("4A090", f"{name} contains {count} x {r.spec.name}: {r.eccn}", None))
    if "3A090.a" in eccns:
        return "4A090.a", [*steps, Step("4A090", "contains 3A090.a chips: 4A090.a", True)]
    if "3A090.b" in eccns:
        return "4A090.b", [*steps, Step("4A090", "contains 3A090.b chips: 4A090.b", True)]
    del datacenter
    return "not_3A090", [*steps, Step("4A090", "contains no 3A090.a/.b chip: not 4A090", False)]
