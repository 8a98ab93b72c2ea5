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
from derisk.kb.model import Dealing
from derisk.profile import Profile

__all__ = ["FINDING_SCHEMA", "Evaluator"]


def _dict(value_type: pa.DataType) -> pa.DataType:
    return pa.dictionary(pa.int32(), value_type)


# Columns that depend only on the rule and entity are dictionary-encoded: one value per
# (exposure, assumptions), shared by every record it reaches.
FINDING_SCHEMA = pa.schema(
    [
        ("idx", pa.int64()),
        ("record_id", pa.string()),
        ("row", pa.int64()),
        ("input_vendor", pa.string()),
        ("entity_id", pa.string()),
        ("entity_name", _dict(pa.string())),
        ("match_score", pa.float64()),
        ("matched_name", pa.string()),
        ("match_method", pa.string()),
        ("via", pa.string()),
        ("decision", pa.string()),
        ("ownership_path", _dict(pa.list_(pa.string()))),
        ("rule_id", _dict(pa.string())),
        ("regime_id", _dict(pa.string())),
        ("jurisdiction", _dict(pa.string())),
        ("status", _dict(pa.string())),
        ("severity", pa.int8()),
        ("deadline", pa.date32()),
        ("since", pa.date32()),
        ("explanation", _dict(pa.string())),
        ("instrument", _dict(pa.string())),
        ("uncertain", pa.bool_()),
        ("source_ids", _dict(pa.list_(pa.string()))),
    ]
)

_DOMAIN, _KIND, _TECH = 1, 2, 4  # bits: record did not state it; assumed in scope
_SCOPE_COLUMNS = ["country", "domain", "technology", "kind", "installed"]


@dataclass
class Evaluator:
    kb: KnowledgeBase
    profile: Profile
    as_of: date
    dealing: Dealing = Dealing.BUY  # inventory (buy) or order book (sell)
    rules: list[Rule] = field(init=False)
    _exposures: dict[str, list[Exposure]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.rules = [
            r
            for r in binding_rules(self.kb, self.profile, self.as_of, self.dealing)
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
        # Join on link numbers only; a link's other columns are taken by number when needed.
        numbered = pa.table(
            {
                "link": pa.array(range(len(links)), pa.int64()),
                "entity_id": links.column("entity_id"),
            }
        )
        joined = numbered.join(per_exp, "entity_id", join_type="inner")
        if len(joined) == 0:
            return FINDING_SCHEMA.empty_table()
        link = joined.column("link")
        cand = links.select(["idx", "match_score", "via", "product_kind"]).take(link)
        for name in ("link", "exp", "rule", "path_len", "list"):
            cand = cand.append_column(name, joined.column(name))
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
        return self._assemble(cand, records, links, exps)

    def _filter(
        self, rule: pa.ChunkedArray, rank: dict[str, int], rec: pa.Table, kind: pa.ChunkedArray
    ) -> tuple[pa.Array, pa.Array]:
        """Per candidate: does the rule reach this record, and what was assumed.

        Scope depends on few distinct values (rule, country, domain, technology, kind), so
        each distinct combination is decided once and the answers spread back by index.
        """
        by_rank = {rank[r.rule_id]: r for r in self.rules if r.rule_id in rank}
        columns = [rec.column("country"), rec.column("domain"), rec.column("technology"), kind]
        encoded = [pc.dictionary_encode(c).combine_chunks() for c in columns]
        code = pc.cast(rule, pa.int64())
        sizes = []
        for e in encoded:
            size = len(e.dictionary) + 1  # the last slot stands for "not stated"
            sizes.append(size)
            code = pc.add(
                pc.multiply(code, size), pc.fill_null(e.indices.cast(pa.int64()), size - 1)
            )
        distinct = pc.dictionary_encode(code).combine_chunks()
        keep_u: list[bool] = []
        flags_u: list[int] = []
        for value in distinct.dictionary.to_pylist():
            parts = []
            for e, size in zip(reversed(encoded), reversed(sizes), strict=True):
                value, slot = divmod(value, size)
                parts.append(None if slot == size - 1 else e.dictionary[slot].as_py())
            kind_v, tech, domain, country = parts
            ok, bits = self._in_scope(by_rank.get(value), country, domain, tech, kind_v)
            keep_u.append(ok)
            flags_u.append(bits)
        keep = pa.array(keep_u, pa.bool_()).take(distinct.indices)
        flags = pa.array(flags_u, pa.int8()).take(distinct.indices)
        for r in by_rank.values():  # installation dates: only the few rules that ask
            after = r.provision.covers.installed_after
            if after is not None:
                on_rule = pc.equal(rule, rank[r.rule_id])
                late = pc.fill_null(
                    pc.greater_equal(rec.column("installed"), pa.scalar(after, pa.date32())),
                    False,
                )
                keep = pc.and_(keep, pc.or_(pc.invert(on_rule), late))
        return keep, flags

    def _in_scope(
        self,
        rule: Rule | None,
        country: str | None,
        domain: str | None,
        tech: str | None,
        kind: str | None,
    ) -> tuple[bool, int]:
        if rule is None:  # a bare list membership reaches every record of its entity
            return True, 0
        if rule.countries is not None:
            if country is None:
                if not rule.countries & set(self.profile.countries):
                    return False, 0
            elif country not in rule.countries:
                return False, 0
        covers = rule.provision.covers
        bits = 0
        for value, allowed, bit in (
            (domain, covers.domains, _DOMAIN),
            (kind, covers.item_kinds, _KIND),
            (tech, covers.technologies, _TECH),
        ):
            if not allowed:
                continue
            if value is None:
                bits |= bit
            elif value not in {str(a) for a in allowed}:
                return False, 0
        return True, bits

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

    def _assemble(
        self, cand: pa.Table, records: pa.Table, links: pa.Table, exps: list[Exposure]
    ) -> pa.Table:
        """Findings in report order. Rule and explanation columns are built once per
        (exposure, assumptions) and shared through dictionary encoding; record columns are
        taken by index."""
        code = pc.add(pc.multiply(cand.column("exp"), 8), cand.column("flags").cast(pa.int64()))
        encoded = pc.dictionary_encode(code).combine_chunks()
        static_rows = [
            explain(self.kb, exps[c // 8], c % 8) for c in encoded.dictionary.to_pylist()
        ]
        static = pa.Table.from_pylist(static_rows, schema=_STATIC_SCHEMA)
        keys = encoded.indices.cast(pa.int32())
        order = pc.sort_indices(
            pa.table(
                {
                    "idx": cand.column("idx"),
                    "severity": static.column("severity").take(keys),
                    "deadline": static.column("deadline").take(keys),
                    "rule": cand.column("rule"),
                }
            ),
            [
                ("idx", "ascending"),
                ("severity", "ascending"),
                ("deadline", "ascending"),
                ("rule", "ascending"),
            ],
        )
        keys = keys.take(order)
        cand = links.select(_LINK_COLUMNS).take(cand.column("link").take(order))
        rec = records.select(["record_id", "row", "vendor"]).take(cand.column("idx"))
        columns = {
            "record_id": rec.column("record_id"),
            "row": rec.column("row"),
            "input_vendor": rec.column("vendor"),
            **{name: cand.column(name) for name in _LINK_COLUMNS},
        }
        for static_field in _STATIC_SCHEMA:
            values = static.column(static_field.name).combine_chunks()
            if pa.types.is_string(values.type):  # a dictionary of distinct values
                distinct = pc.dictionary_encode(values)
                columns[static_field.name] = pa.DictionaryArray.from_arrays(
                    distinct.indices.take(keys), distinct.dictionary
                )
            elif pa.types.is_dictionary(FINDING_SCHEMA.field(static_field.name).type):
                columns[static_field.name] = pa.DictionaryArray.from_arrays(keys, values)
            else:
                columns[static_field.name] = values.take(keys)
        return pa.table([columns[name] for name in FINDING_SCHEMA.names], schema=FINDING_SCHEMA)


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


_LINK_COLUMNS = [
    "idx",
    "entity_id",
    "match_score",
    "matched_name",
    "match_method",
    "via",
    "decision",
]
_STATIC_SCHEMA = pa.schema(
    [
        pa.field(name, FINDING_SCHEMA.field(name).type.value_type)
        if pa.types.is_dictionary(FINDING_SCHEMA.field(name).type)
        else FINDING_SCHEMA.field(name)
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
