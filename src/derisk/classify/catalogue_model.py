"""The chip catalogue schema: accelerators, HBM and systems with sourced datasheet figures."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from derisk.kb.model import Fact, Slug

__all__ = ["PRECISIONS", "Chip", "ChipFile", "Component", "System"]

# Precisions a datasheet gives dense throughput for, with the bit length TPP multiplies by.
# TF32 is counted at 32 bits, the width of its storage format (the BIS definition speaks of
# "the bit length of the operation"; TF32 arithmetic has a 19-bit significand-plus-exponent,
# so counting it at 19 would be the other reading). On every known part the TF32 rate is half
# the FP16 rate, so the maximum over precisions does not depend on the choice.
PRECISIONS: dict[str, int] = {
    "fp64": 64,
    "fp32": 32,
    "tf32": 32,
    "fp16": 16,
    "bf16": 16,
    "fp8": 8,
    "int8": 8,
    "int4": 4,
    "fp4": 4,
}

Figure = Literal[
    "dense_tops",
    "die_area_mm2",
    "memory_bandwidth_gbps",
    "interconnect_gbps",
    "datacenter",
    "memory_gb",
    "hbm_area_mm2",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chip(Fact):
    """One integrated circuit (a GPU or accelerator, or an HBM stack)."""

    id: Slug
    name: str
    aliases: list[str] = Field(default_factory=list)
    maker: Slug  # entity id in the knowledge base
    kind: Literal["accelerator", "hbm"] = "accelerator"
    datacenter: bool  # designed or marketed for use in datacenters
    released: date | None = None
    # Dense (no sparsity) throughput per precision, in TOPS / TFLOPS (10^12 operations/s).
    dense_tops: dict[str, float] = Field(default_factory=dict)
    die_area_mm2: float | None = Field(default=None, gt=0)  # applicable (non-planar logic) area
    memory_bandwidth_gbps: float | None = Field(default=None, gt=0)  # GB/s, to DRAM/HBM
    interconnect_gbps: float | None = Field(default=None, gt=0)  # bidirectional chip-to-chip
    memory_gb: float | None = Field(default=None, gt=0)
    hbm_area_mm2: float | None = Field(default=None, gt=0)  # for HBM stacks (3A090.c)
    figure_sources: dict[Figure, list[Slug]] = Field(default_factory=dict)  # per figure

    @model_validator(mode="after")
    def _precisions(self) -> Self:
        unknown = set(self.dense_tops) - set(PRECISIONS)
        if unknown:
            raise ValueError(f"unknown precisions {sorted(unknown)}; use {sorted(PRECISIONS)}")
        if any(v <= 0 for v in self.dense_tops.values()):
            raise ValueError("dense throughput must be positive")
        return self


class Component(Strict):
    chip: Slug
    count: int = Field(ge=1)


class System(Fact):
    """A computer, board or assembly containing chips (4A090 when they are 3A090)."""

    id: Slug
    name: str
    aliases: list[str] = Field(default_factory=list)
    maker: Slug
    datacenter: bool = True
    contains: list[Component] = Field(min_length=1)


class ChipFile(Strict):
    chips: list[Chip] = []
    systems: list[System] = []
