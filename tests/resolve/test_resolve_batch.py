"""The resolve stage over a batch: vendor links, product links, and kinds from products."""

from __future__ import annotations

import pyarrow as pa
import pytest

from derisk.kb.loader import load_bundled
from derisk.resolve.batch import LINK_SCHEMA, Resolver


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver.from_kb(load_bundled())


def _table(rows: list[tuple[str, str | None, str | None]]) -> pa.Table:
    return pa.table(
        {
            "vendor": [r[0] for r in rows],
            "model": pa.array([r[1] for r in rows], pa.string()),
            "description": pa.array([r[2] for r in rows], pa.string()),
        }
    )


def test_links(resolver: Resolver) -> None:
    table = _table(
        [
            ("Huawei", "OptiX OSN 9800", None),  # the vendor's own product: kind only
            ("Inspur", "NF5688M7", "8x NVIDIA H100 and 2x H100 NVL"),  # another maker, once
            ("Acme Widgets", None, None),  # nothing
            ("Ericsson", "Baseband 6630", None),  # clear vendor, no product line
        ]
    )
    links = resolver.resolve(table)
    assert links.schema == LINK_SCHEMA
    got = [(r["idx"], r["entity_id"], r["via"], r["product_kind"]) for r in links.to_pylist()]
    # Expected from data/products.yaml: OptiX is Huawei transmission gear; H100 is an NVIDIA
    # accelerator; Inspur and Ericsson resolve by name (entities/ai_chips.yaml,
    # entities/telecom_vendors.yaml).
    assert got == [
        (0, "huawei", "vendor", "transmission"),
        (1, "inspur", "vendor", "system"),  # NF5688 is an Inspur AI server line
        (1, "nvidia", "model", "accelerator"),
        (3, "ericsson", "vendor", None),
    ]
    model_link = links.to_pylist()[2]
    assert model_link["match_method"] == "product" and model_link["match_score"] == 0.95


def test_no_products_anywhere(resolver: Resolver) -> None:
    links = resolver.resolve(_table([("ZTE Corporation", None, None), ("Nobody", "x", "y")]))
    assert [(r["idx"], r["entity_id"]) for r in links.to_pylist()] == [(0, "zte")]
