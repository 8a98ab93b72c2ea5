"""The evaluate stage: records and their entity links in, findings out, as Arrow tables.

Work that depends only on the knowledge base, the profile and the date (which rules bind,
which entities they reach, the status and deadline, the explanation) is done once per
entity and rule; per record, only vectorised checks of country, domain, kind, technology and
installation date remain. That keeps the stage fast and free of Python loops over records,
and lets it run unchanged on any batch of records (in-process, or in Spark ``mapInArrow``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from derisk.evaluate.exposure import Exposure, ListRule, exposures
from derisk.evaluate.explain import explain
from derisk.evaluate.rules import Rule, binding_rules
from derisk.kb.knowledge import KnowledgeBase
from derisk.profile import Profile

__all__ = ["FINDING_SCHEMA", "Evaluator"]

FINDING_SCHEMA = pa.schema(
    [
        ("idx", pa.int64()),
        ("record_id", pa.string()),
        ("row", pa.int64()),
        ("input_vendor", pa.string()),
        ("entity_id", pa.string()),
        ("entity_name", pa.string()),
        ("match_score", pa.float64()),
        ("matched_name", pa.string()),
        ("match_method", pa.string()),
        ("via", pa.string()),
        ("ownership_path", pa.list_(pa.string())),
        ("rule_id", pa.string()),
        ("regime_id", pa.string()),
        ("jurisdiction", pa.string()),
        ("status", pa.string()),
        ("severity", pa.int8()),
        ("deadline", pa.date32()),
        ("since", pa.date32()),
        ("explanation", pa.string()),
        ("instrument", pa.string()),
        ("uncertain", pa.bool_()),
        ("source_ids", pa.list_(pa.string())),
    ]
)

_DOMAIN, _KIND, _TECH = 1, 2, 4  # bits: record did not state it; assumed in scope


@dataclass
class Evaluator:
    kb: KnowledgeBase
    profile: Profile
    as_of: date
    rules: list[Rule] = field(init=False)
    _exposures: dict[str, list[Exposure]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.rules = binding_rules(self.kb, self.profile, self.as_of)

    def _exposures_of(self, entity_ids: list[str]) -> list[Exposure]:
        missing = [e for e in entity_ids if e not in self._exposures]
        for e in missing:
            self._exposures[e] = []
        for exp in exposures(
            self.kb, self.rules, missing, self.as_of, include_listed=self.profile.include_listed
        ):
            self._exposures[exp.entity_id].append(exp)
        return [x for e in entity_ids for x in self._exposures[e]]

    def evaluate(self, records: pa.Table, links: pa.Table) -> pa.Table:
        """Findings for ``records`` given their ``links`` (from the resolve stage)."""
        entity_ids = pc.unique(links.column("entity_id")).to_pylist()
        exps = self._exposures_of([e for e in entity_ids if e is not None])
        if not exps or len(links) == 0:
            return FINDING_SCHEMA.empty_table()
        per_exp = pa.table(
            {
                "entity_id": [x.entity_id for x in exps],
                "exp": pa.array(range(len(exps)), pa.int64()),
                "rule_key": [_rule_key(x.rule) for x in exps],
                "path_len": pa.array([len(x.path) for x in exps], pa.int32()),
                "list_id": [x.rule.list_id if isinstance(x.rule, ListRule) else None
                            for x in exps],
            }
        )  # fmt: skip
        cand = links.join(per_exp, "entity_id", join_type="inner")
        if len(cand) == 0:
            return FINDING_SCHEMA.empty_table()
        rec = records.take(cand.column("idx"))
        kind = pc.coalesce(rec.column("kind"), cand.column("product_kind"))
        keep, flags = self._filter(cand.column("rule_key"), rec, kind)
        cand = cand.append_column("flags", flags).filter(keep)
        cand = _best_per_record_and_rule(cand)
        cand = self._drop_shadowed_listings(cand, exps)
        return self._assemble(cand, records, exps)

    def _filter(
        self, rule_key: pa.ChunkedArray, rec: pa.Table, kind: pa.ChunkedArray
    ) -> tuple[pa.Array, pa.Array]:
        """Per candidate: does the rule reach this record, and what was assumed."""
        n = len(rule_key)
        keep = pa.array([True] * n)
        flags = pa.array([0] * n, pa.int8())
        profile_countries = set(self.profile.countries)
        for rule in self.rules:
            on_rule = pc.equal(rule_key, rule.rule_id)
            if not pc.any(on_rule).as_py():
                continue
            ok = pa.array([True] * n)
            bits = pa.array([0] * n, pa.int8())
            covers = rule.provision.covers
            country = rec.column("country")
            if rule.countries is not None:
                allowed = pa.array(sorted(rule.countries), pa.string())
                fallback = bool(rule.countries & profile_countries)
                ok = pc.and_(ok, pc.if_else(pc.is_null(country), fallback,
                                            pc.is_in(country, value_set=allowed)))  # fmt: skip
            for column, values, bit in (
                (rec.column("domain"), covers.domains, _DOMAIN),
                (kind, covers.item_kinds, _KIND),
                (rec.column("technology"), covers.technologies, _TECH),
            ):
                if not values:
                    continue
                allowed = pa.array(sorted(str(v) for v in values), pa.string())
                ok = pc.and_(ok, pc.or_(pc.is_null(column), pc.is_in(column, value_set=allowed)))
                bits = pc.bit_wise_or(bits, pc.if_else(pc.is_null(column), bit, 0).cast(pa.int8()))
            if covers.installed_after is not None:
                after = pa.scalar(covers.installed_after, pa.date32())
                ok = pc.and_(ok, pc.fill_null(pc.greater_equal(rec.column("installed"), after),
                                              False))  # fmt: skip
            keep = pc.if_else(on_rule, ok, keep)
            flags = pc.if_else(on_rule, bits, flags)
        return keep, flags

    def _drop_shadowed_listings(self, cand: pa.Table, exps: list[Exposure]) -> pa.Table:
        """A list entry already acted on by a binding rule for the record is not repeated."""
        bound = [
            (i, lid)
            for i, x in enumerate(exps)
            if isinstance(x.rule, Rule)
            for lid in sorted(x.rule.list_ids)
        ]
        if not bound:
            return cand
        bound_t = pa.table({"exp": [b[0] for b in bound], "bound_list": [b[1] for b in bound]})
        pairs = cand.select(["idx", "exp"]).join(bound_t, "exp", join_type="inner")
        pairs = pairs.select(["idx", "bound_list"]).rename_columns(["idx", "list_id"])
        if len(pairs) == 0:
            return cand
        listed = cand.filter(pc.is_valid(cand.column("list_id")))
        binding = cand.filter(pc.is_null(cand.column("list_id")))
        listed = listed.join(pairs, ["idx", "list_id"], join_type="left anti")
        return pa.concat_tables([binding, listed.select(binding.column_names)])

    def _assemble(self, cand: pa.Table, records: pa.Table, exps: list[Exposure]) -> pa.Table:
        """Record columns by ``take``; rule and explanation columns once per (exposure, flags)."""
        code = pc.add(pc.multiply(cand.column("exp"), 8), cand.column("flags").cast(pa.int64()))
        encoded = pc.dictionary_encode(code).combine_chunks()
        static_rows = [
            explain(self.kb, exps[c // 8], c % 8, self.as_of)
            for c in encoded.dictionary.to_pylist()
        ]
        static = pa.Table.from_pylist(static_rows, schema=_STATIC_SCHEMA).take(encoded.indices)
        rec = records.take(cand.column("idx"))
        columns = {
            "idx": cand.column("idx"),
            "record_id": rec.column("record_id"),
            "row": rec.column("row"),
            "input_vendor": rec.column("vendor"),
            "entity_id": cand.column("entity_id"),
            "match_score": cand.column("match_score"),
            "matched_name": cand.column("matched_name"),
            "match_method": cand.column("match_method"),
            "via": cand.column("via"),
        }
        arrays = [
            columns[name] if name in columns else static.column(name)
            for name in FINDING_SCHEMA.names
        ]
        table = pa.table(arrays, schema=FINDING_SCHEMA)
        return table.sort_by(
            [("idx", "ascending"), ("severity", "ascending"), ("deadline", "ascending"),
             ("rule_id", "ascending")]
        )  # fmt: skip


def _best_per_record_and_rule(cand: pa.Table) -> pa.Table:
    """Keep, per (record, rule), the link with the highest score and shortest path."""
    cand = cand.sort_by(
        [("idx", "ascending"), ("rule_key", "ascending"), ("match_score", "descending"),
         ("path_len", "ascending")]
    )  # fmt: skip
    n = len(cand)
    if n < 2:
        return cand
    idx = cand.column("idx").combine_chunks()
    key = cand.column("rule_key").combine_chunks()
    changed = pc.or_(
        pc.not_equal(idx.slice(1), idx.slice(0, n - 1)),
        pc.not_equal(key.slice(1), key.slice(0, n - 1)),
    )
    first = pa.concat_arrays([pa.array([True]), changed])
    return cand.filter(first)


def _rule_key(rule: Rule | ListRule) -> str:
    return rule.rule_id if isinstance(rule, Rule) else f"list:{rule.list_id}"


_STATIC_SCHEMA = pa.schema(
    [
        FINDING_SCHEMA.field(name)
        for name in (
            "entity_name", "ownership_path", "rule_id", "regime_id", "jurisdiction", "status",
            "severity", "deadline", "since", "explanation", "instrument", "uncertain",
            "source_ids",
        )
    ]
)  # fmt: skip
