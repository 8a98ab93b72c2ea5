"""Product lines that name their maker: a model string such as 'H100' links a record to NVIDIA.

An inventory line often names a reseller or an integrator as vendor ("Inspur", "Dell") and the
restricted part only in its model ("8x NVIDIA H100"). Product patterns let screening find the
maker of a named component as a second link, with its own evidence.
"""

from __future__ import annotations

import re
from typing import Self

from pydantic import Field, model_validator

from derisk.kb.model import Fact, Slug, Strict

__all__ = ["Product", "ProductFile"]


class Product(Fact):
    id: Slug
    entity: Slug  # the maker
    name: str
    kind: Slug  # accelerator, cpu, network, radio, management-system, ...
    patterns: list[str] = Field(min_length=1)  # case-insensitive regexes, matched on words

    @model_validator(mode="after")
    def _patterns_compile(self) -> Self:
        for pat in self.patterns:
            try:
                re.compile(pat, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"pattern {pat!r} does not compile: {exc}") from exc
        return self


class ProductFile(Strict):
    products: list[Product]
