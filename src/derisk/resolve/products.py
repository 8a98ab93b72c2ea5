"""Find product lines named in model and description text ('8x NVIDIA H100' -> NVIDIA H100)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from derisk.kb.products import Product

__all__ = ["ProductHit", "ProductMatcher"]

PRODUCT_SCORE = 0.95  # patterns are specific product-line names, not free-text guesses


@dataclass(frozen=True)
class ProductHit:
    product_id: str
    entity_id: str
    name: str
    kind: str


class ProductMatcher:
    """One compiled alternation of every product pattern."""

    def __init__(self, products: Iterable[Product]) -> None:
        self._hits: dict[str, ProductHit] = {}
        parts: list[str] = []
        for n, product in enumerate(products):
            group = f"p{n}"
            self._hits[group] = ProductHit(product.id, product.entity, product.name, product.kind)
            alternatives = "|".join(f"(?:{p})" for p in product.patterns)
            parts.append(f"(?P<{group}>{alternatives})")
        self._regex = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def find(self, text: str | None) -> list[ProductHit]:
        """Distinct products named in ``text``, in order of first mention."""
        if not text or self._regex is None:
            return []
        found: dict[str, ProductHit] = {}
        for m in self._regex.finditer(text):
            group = m.lastgroup
            if group is not None and group in self._hits:
                hit = self._hits[group]
                found.setdefault(hit.product_id, hit)
        return list(found.values())
