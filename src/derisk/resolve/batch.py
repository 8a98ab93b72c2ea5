"""The resolve stage: inventory records in, entity links out, as Arrow tables.

Pure and batch-shaped so the same function runs in-process or inside Spark ``mapInArrow``:
the :class:`Resolver` holds only the knowledge base's indexes, built once and broadcast.
Each distinct vendor name (and each distinct model/description text) is resolved once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from derisk.kb.decisions import Decision, DecisionSet
from derisk.kb.knowledge import KnowledgeBase
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import Candidate, NameMatch, resolve_name
from derisk.resolve.products import PRODUCT_SCORE, ProductHit, ProductMatcher

__all__ = ["LINK_SCHEMA", "Resolver", "describe"]


def describe(d: Decision) -> str:
    """A decision in one sentence, for reports."""
    verb = "confirmed" if d.action == "confirm" else "dismissed"
    return f"{verb} by {d.decided_by} on {d.decided_at.date().isoformat()}: {d.reason}"


LINK_SCHEMA = pa.schema(
    [
        ("idx", pa.int64()),  # position of the record in the input table
        ("entity_id", pa.string()),
        ("match_score", pa.float64()),
        ("matched_name", pa.string()),
        ("match_method", pa.string()),
        ("via", pa.string()),  # vendor | model
        ("product_kind", pa.string()),  # kind of item a product line implies, if any
        ("decision", pa.string()),  # the analyst decision behind the link, if any
    ]
)


@dataclass
class Resolver:
    """Name and product look-ups for one knowledge base, with the analysts' decisions."""

    index: NameIndex
    products: ProductMatcher
    decisions: DecisionSet | None = None
    _names: dict[str, tuple[NameMatch | None, str | None]] = field(default_factory=dict, repr=False)
    dismissed: dict[str, list[Decision]] = field(default_factory=dict, repr=False)
    review: dict[str, Candidate] = field(default_factory=dict, repr=False)  # names to look at
    related: dict[str, set[str]] = field(default_factory=dict, repr=False)  # ownership, both ways

    @classmethod
    def from_kb(
        cls,
        kb: KnowledgeBase,
        decisions: DecisionSet | None = None,
        index: NameIndex | None = None,
    ) -> Resolver:
        related: dict[str, set[str]] = {}
        for edge in kb.ownership:
            related.setdefault(edge.parent, set()).add(edge.child)
            related.setdefault(edge.child, set()).add(edge.parent)
        return cls(
            index or NameIndex(kb.entities.values()),
            ProductMatcher(kb.products),
            decisions,
            related=related,
        )

    def _group(self, entity_id: str) -> set[str]:
        """The entity and every entity linked to it by ownership, at any distance."""
        seen = {entity_id}
        todo = [entity_id]
        while todo:
            for other in self.related.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def match(self, name: str) -> NameMatch | None:
        return self.match_with_decision(name)[0]

    def match_with_decision(self, name: str) -> tuple[NameMatch | None, str | None]:
        """The best match and, when an analyst decided it, the decision as one sentence.

        A confirmed match wins over the matcher (score 1.0, method ``decision``); a dismissed
        one is never returned, and the next candidate is considered instead.
        """
        if name in self._names:
            return self._names[name]
        confirmed, dismissed = self.decisions.lookup(name) if self.decisions else ([], [])
        known = [d for d in confirmed if d.entity_id in self.index.entity_ids]
        result: tuple[NameMatch | None, str | None]
        if known:
            d = known[-1]
            result = (NameMatch(d.entity_id, name, 1.0, "decision"), describe(d))
        else:
            # Dismissing Huawei for a name also rules out its subsidiaries and owners as matches
            # of that name: they would be flagged for the same reason.
            exclude = frozenset(e for d in dismissed for e in self._group(d.entity_id))
            found, doubtful = resolve_name(name, self.index, exclude=exclude)
            result = (found, None)
            if doubtful is not None:
                self.review[name] = doubtful
            if dismissed:
                self.dismissed[name] = dismissed
        self._names[name] = result
        return result

    def resolve(self, table: pa.Table) -> pa.Table:
        """Links for every record of ``table`` (columns ``vendor``, ``model``, ``description``).

        A record links to the entity its vendor names, and to the maker of every product line
        its model or description names. When the maker is the vendor itself, the product only
        tells the vendor link what kind of item the record is.
        """
        vendor_links = self._vendor_links(table)
        products = self._product_hits(table)
        if len(products) == 0:
            return vendor_links
        pair = ["idx", "entity_id"]
        own = vendor_links.select(pair)
        # Products made by the vendor itself: they give the vendor link its kind.
        same = products.join(own, pair, join_type="left semi")
        kinds = same.group_by("idx").aggregate([("product_kind", "min")])
        kinds = kinds.rename_columns(["idx", "product_kind"])
        vendor_links = vendor_links.drop_columns(["product_kind"]).join(
            kinds, "idx", join_type="left outer"
        )
        # Products of another maker: a link of their own.
        other = products.join(own, pair, join_type="left anti")
        other = other.group_by(pair).aggregate([("matched_name", "min"), ("product_kind", "min")])
        n = len(other)
        model_links = pa.table(
            {
                "idx": other.column("idx"),
                "entity_id": other.column("entity_id"),
                "match_score": pa.repeat(pa.scalar(PRODUCT_SCORE, pa.float64()), n),
                "matched_name": other.column("matched_name_min"),
                "match_method": pa.repeat(pa.scalar("product", pa.string()), n),
                "via": pa.repeat(pa.scalar("model", pa.string()), n),
                "product_kind": other.column("product_kind_min"),
                "decision": pa.nulls(n, pa.string()),
            },
            schema=LINK_SCHEMA,
        )
        links = pa.concat_tables([vendor_links.select(LINK_SCHEMA.names), model_links])
        return links.sort_by([("idx", "ascending"), ("via", "descending")])

    def _vendor_links(self, table: pa.Table) -> pa.Table:
        encoded = pc.dictionary_encode(table.column("vendor")).combine_chunks()
        found = [self.match_with_decision(str(v)) for v in encoded.dictionary.to_pylist()]
        matches = [m for m, _ in found]
        per_code = pa.table(
            {
                "entity_id": [m.entity_id if m else None for m in matches],
                "match_score": [m.score if m else None for m in matches],
                "matched_name": [m.matched_name if m else None for m in matches],
                "match_method": [m.method if m else None for m in matches],
                "decision": [note for _, note in found],
            },
            schema=pa.schema(
                [
                    LINK_SCHEMA.field(n)
                    for n in (
                        "entity_id",
                        "match_score",
                        "matched_name",
                        "match_method",
                        "decision",
                    )
                ]
            ),
        )
        rows = per_code.take(encoded.indices)
        n = len(rows)
        rows = rows.append_column("idx", pa.array(range(n), pa.int64()))
        rows = rows.append_column("via", pa.array(["vendor"] * n, pa.string()))
        rows = rows.append_column("product_kind", pa.nulls(n, pa.string()))
        rows = rows.filter(pc.is_valid(rows.column("entity_id")))
        return rows.select(LINK_SCHEMA.names)

    def _product_hits(self, table: pa.Table) -> pa.Table:
        """(idx, entity_id, matched_name, product_kind) for every product line named."""
        text = pc.binary_join_element_wise(
            pc.fill_null(table.column("model"), ""),
            pc.fill_null(table.column("description"), ""),
            " ",
        )
        encoded = pc.dictionary_encode(text).combine_chunks()
        hits: list[tuple[int, ProductHit]] = [
            (code, hit)
            for code, value in enumerate(encoded.dictionary.to_pylist())
            for hit in self.products.find(str(value))
        ]
        per_code = pa.table(
            {
                "code": pa.array([c for c, _ in hits], pa.int32()),
                "entity_id": pa.array([h.entity_id for _, h in hits], pa.string()),
                "matched_name": pa.array([h.name for _, h in hits], pa.string()),
                "product_kind": pa.array([h.kind for _, h in hits], pa.string()),
            }
        )
        rows = pa.table(
            {
                "idx": pa.array(range(len(encoded)), pa.int64()),
                "code": encoded.indices.cast(pa.int32()),
            }
        )
        rows = rows.filter(pc.is_in(rows.column("code"), value_set=per_code.column("code")))
        return rows.join(per_code, "code", join_type="inner").drop_columns(["code"])
