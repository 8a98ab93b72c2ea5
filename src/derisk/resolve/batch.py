"""The resolve stage: inventory records in, entity links out, as Arrow tables.

Pure and batch-shaped so the same function runs in-process or inside Spark ``mapInArrow``:
the :class:`Resolver` holds only the knowledge base's indexes, built once and broadcast.
Each distinct vendor name (and each distinct model/description text) is resolved once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from derisk.kb.knowledge import KnowledgeBase
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import NameMatch, match_name
from derisk.resolve.products import PRODUCT_SCORE, ProductHit, ProductMatcher

__all__ = ["LINK_SCHEMA", "Resolver"]

LINK_SCHEMA = pa.schema(
    [
        ("idx", pa.int64()),  # position of the record in the input table
        ("entity_id", pa.string()),
        ("match_score", pa.float64()),
        ("matched_name", pa.string()),
        ("match_method", pa.string()),
        ("via", pa.string()),  # vendor | model
        ("product_kind", pa.string()),  # kind of item a product line implies, if any
    ]
)


@dataclass
class Resolver:
    """Name and product look-ups for one knowledge base."""

    index: NameIndex
    products: ProductMatcher
    _names: dict[str, NameMatch | None] = field(default_factory=dict, repr=False)

    @classmethod
    def from_kb(cls, kb: KnowledgeBase) -> Resolver:
        return cls(NameIndex(kb.entities.values()), ProductMatcher(kb.products))

    def match(self, name: str) -> NameMatch | None:
        if name not in self._names:
            self._names[name] = match_name(name, self.index)
        return self._names[name]

    def resolve(self, table: pa.Table) -> pa.Table:
        """Links for every record of ``table`` (columns ``vendor``, ``model``, ``description``).

        A record links to the entity its vendor names, and to the maker of every product line
        its model or description names. When the maker is the vendor itself, the product only
        tells the vendor link what kind of item the record is.
        """
        vendor_links = self._vendor_links(table)
        product_rows = self._product_rows(table)
        vendor_of = dict(
            zip(
                vendor_links.column("idx").to_pylist(),
                vendor_links.column("entity_id").to_pylist(),
                strict=True,
            )
        )
        kind_of_vendor_link: dict[int, str] = {}
        extra: list[tuple[int, ProductHit]] = []
        for idx, hit in product_rows:
            if vendor_of.get(idx) == hit.entity_id:
                kind_of_vendor_link.setdefault(idx, hit.kind)
            else:
                extra.append((idx, hit))
        kinds = [kind_of_vendor_link.get(i) for i in vendor_links.column("idx").to_pylist()]
        vendor_links = vendor_links.set_column(
            vendor_links.schema.get_field_index("product_kind"),
            "product_kind",
            pa.array(kinds, pa.string()),
        )
        model_links = pa.table(
            {
                "idx": [i for i, _ in extra],
                "entity_id": [h.entity_id for _, h in extra],
                "match_score": [PRODUCT_SCORE] * len(extra),
                "matched_name": [h.name for _, h in extra],
                "match_method": ["product"] * len(extra),
                "via": ["model"] * len(extra),
                "product_kind": [h.kind for _, h in extra],
            },
            schema=LINK_SCHEMA,
        )
        links = pa.concat_tables([vendor_links, model_links])
        return links.sort_by([("idx", "ascending"), ("via", "descending")])

    def _vendor_links(self, table: pa.Table) -> pa.Table:
        encoded = pc.dictionary_encode(table.column("vendor")).combine_chunks()
        matches = [self.match(str(v)) for v in encoded.dictionary.to_pylist()]
        per_code = pa.table(
            {
                "entity_id": [m.entity_id if m else None for m in matches],
                "match_score": [m.score if m else None for m in matches],
                "matched_name": [m.matched_name if m else None for m in matches],
                "match_method": [m.method if m else None for m in matches],
            },
            schema=pa.schema(
                [
                    LINK_SCHEMA.field(n)
                    for n in ("entity_id", "match_score", "matched_name", "match_method")
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

    def _product_rows(self, table: pa.Table) -> list[tuple[int, ProductHit]]:
        text = pc.binary_join_element_wise(
            pc.fill_null(table.column("model"), ""),
            pc.fill_null(table.column("description"), ""),
            " ",
        )
        encoded = pc.dictionary_encode(text).combine_chunks()
        found = [self.products.find(str(t)) for t in encoded.dictionary.to_pylist()]
        codes_with_hits = pa.array([c for c, hits in enumerate(found) if hits], pa.int32())
        if len(codes_with_hits) == 0:
            return []
        indices = encoded.indices
        positions = pc.indices_nonzero(pc.is_in(indices, value_set=codes_with_hits))
        out: list[tuple[int, ProductHit]] = []
        for pos, code in zip(
            positions.to_pylist(), indices.take(positions).to_pylist(), strict=True
        ):
            out.extend((pos, hit) for hit in found[code])
        return out
