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

from derisk.evaluate.explain import explain
from derisk.evaluate.exposure import Exposure, ListRule, exposures
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
_SCOPE_COLUMNS = ["country", "domain", "technology", "kind", "installed"]


@dataclass
class Evaluator:
    kb: KnowledgeBase
    profile: Profile
    as_of: date
    rules: list[Rule] = field(init=False)
    _exposures: dict[str, list[Exposure]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.rules = [
            r
            for r in binding_rules(self.kb, self.profile, self.as_of)
            if self.profile.include_listed or r.status != "listed"  # advisory acts
        ]

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
        keys = [_rule_key(x.rule) for x in exps]
        rank = {k: i for i, k in enumerate(sorted(set(keys)))}  # rule order within a record
        per_exp = pa.table(
            {
                "entity_id": pa.array([x.entity_id for x in exps], pa.string()),
                "exp": pa.array(range(len(exps)), pa.int64()),
                "rule": pa.array([rank[k] for k in keys], pa.int32()),
                "path_len": pa.array([len(x.path) for x in exps], pa.int32()),
                "list": pa.array(
                    [
                        rank.get(f"list:{x.rule.list_id}") if isinstance(x.rule, ListRule) else None
                        for x in exps
                    ],
                    pa.int32(),
                ),
            }
        )
        cand = links.join(per_exp, "entity_id", join_type="inner")
        if len(cand) == 0:
            return FINDING_SCHEMA.empty_table()
        rec = records.select(_SCOPE_COLUMNS).take(cand.column("idx"))
        # A product named in the model says what that part is; otherwise the record's kind.
        from_model = pc.equal(cand.column("via"), "model")
        kind = pc.if_else(
            from_model,
            pc.coalesce(cand.column("product_kind"), rec.column("kind")),
            pc.coalesce(rec.column("kind"), cand.column("product_kind")),
        )
        keep, flags = self._filter(cand.column("rule"), rank, rec, kind)
        cand = cand.append_column("flags", flags).filter(keep)
        cand = _best_per_record_and_rule(cand, links)
        cand = self._drop_shadowed_listings(cand, exps, rank)
        return self._assemble(cand, records, exps)

    def _filter(
        self, rule: pa.ChunkedArray, rank: dict[str, int], rec: pa.Table, kind: pa.ChunkedArray
    ) -> tuple[pa.Array, pa.Array]:
        """Per candidate: does the rule reach this record, and what was assumed."""
        n = len(rule)
        keep = pa.repeat(True, n)
        flags = pa.repeat(pa.scalar(0, pa.int8()), n)
        profile_countries = set(self.profile.countries)
        for r in self.rules:
            covers = r.provision.covers
            if r.rule_id not in rank or not (
                r.countries is not None
                or covers.domains
                or covers.item_kinds
                or covers.technologies
                or covers.installed_after
            ):
                continue  # not reached, or reaches every record of its entities
            on_rule = pc.equal(rule, rank[r.rule_id])
            ok = pa.repeat(True, n)
            bits = pa.repeat(pa.scalar(0, pa.int8()), n)
            country = rec.column("country")
            if r.countries is not None:
                allowed = pa.array(sorted(r.countries), pa.string())
                fallback = bool(r.countries & profile_countries)
                ok = pc.and_(
                    ok,
                    pc.if_else(pc.is_null(country), fallback, pc.is_in(country, value_set=allowed)),
                )
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
                ok = pc.and_(
                    ok, pc.fill_null(pc.greater_equal(rec.column("installed"), after), False)
                )
            keep = pc.if_else(on_rule, ok, keep)
            flags = pc.if_else(on_rule, bits, flags)
        return keep, flags

    def _drop_shadowed_listings(
        self, cand: pa.Table, exps: list[Exposure], rank: dict[str, int]
    ) -> pa.Table:
        """A list entry already acted on by a binding rule for the record is not repeated."""
        bound = [
            (i, rank[f"list:{lid}"])
            for i, x in enumerate(exps)
            if isinstance(x.rule, Rule)
            for lid in sorted(x.rule.list_ids)
            if f"list:{lid}" in rank
        ]
        if not bound:
            return cand
        bound_t = pa.table(
            {
                "exp": pa.array([b[0] for b in bound], pa.int64()),
                "list": pa.array([b[1] for b in bound], pa.int32()),
            }
        )
        pairs = cand.select(["idx", "exp"]).join(bound_t, "exp", join_type="inner")
        if len(pairs) == 0:
            return cand
        pairs = pairs.select(["idx", "list"])
        is_listing = pc.is_valid(cand.column("list"))
        listed = cand.filter(is_listing).join(pairs, ["idx", "list"], join_type="left anti")
        return pa.concat_tables(
            [cand.filter(pc.invert(is_listing)), listed.select(cand.column_names)]
        )

    def _assemble(self, cand: pa.Table, records: pa.Table, exps: list[Exposure]) -> pa.Table:
        """Record columns by ``take``; rule and explanation columns once per (exposure, flags)."""
        code = pc.add(pc.multiply(cand.column("exp"), 8), cand.column("flags").cast(pa.int64()))
        encoded = pc.dictionary_encode(code).combine_chunks()
        static_rows = [
            explain(self.kb, exps[c // 8], c % 8) for c in encoded.dictionary.to_pylist()
        ]
        static = pa.Table.from_pylist(static_rows, schema=_STATIC_SCHEMA).take(encoded.indices)
        rec = records.select(["record_id", "row", "vendor"]).take(cand.column("idx"))
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
        table = pa.table(arrays, schema=FINDING_SCHEMA).append_column("_rule", cand.column("rule"))
        order = pc.sort_indices(
            table,
            [
                ("idx", "ascending"),
                ("severity", "ascending"),
                ("deadline", "ascending"),
                ("_rule", "ascending"),
            ],
        )
        return table.drop_columns(["_rule"]).take(order)


def _best_per_record_and_rule(cand: pa.Table, links: pa.Table) -> pa.Table:
    """Keep, per (record, rule), the link with the highest score and shortest path.

    Only records with more than one link can hold duplicates; the rest pass untouched.
    """
    counts = links.group_by("idx").aggregate([("idx", "count")])
    multi = counts.filter(pc.greater(counts.column("idx_count"), 1)).column("idx")
    if len(multi) == 0:
        return cand
    several = pc.is_in(cand.column("idx"), value_set=multi.combine_chunks())
    single, dup = cand.filter(pc.invert(several)), cand.filter(several)
    dup = dup.sort_by(
        [
            ("idx", "ascending"),
            ("rule", "ascending"),
            ("match_score", "descending"),
            ("path_len", "ascending"),
        ]
    )
    n = len(dup)
    if n > 1:
        idx = dup.column("idx").combine_chunks()
        rule = dup.column("rule").combine_chunks()
        changed = pc.or_(
            pc.not_equal(idx.slice(1), idx.slice(0, n - 1)),
            pc.not_equal(rule.slice(1), rule.slice(0, n - 1)),
        )
        dup = dup.filter(pa.concat_arrays([pa.array([True]), changed]))
    return pa.concat_tables([single, dup])


def _rule_key(rule: Rule | ListRule) -> str:
    return rule.rule_id if isinstance(rule, Rule) else f"list:{rule.list_id}"


_STATIC_SCHEMA = pa.schema(
    [
        FINDING_SCHEMA.field(name)
        for name in (
            "entity_name",
            "ownership_path",
            "rule_id",
            "regime_id",
            "jurisdiction",
            "status",
            "severity",
            "deadline",
            "since",
            "explanation",
            "instrument",
            "uncertain",
            "source_ids",
        )
    ]
)
