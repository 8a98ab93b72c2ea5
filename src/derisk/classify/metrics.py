"""The numbers 3A090 turns on: TPP, performance density and memory bandwidth density.

- TPP (total processing performance) = max over precisions of dense TOPS x bit length
  (88 FR 73458: 2 x MacTOPS x bit length; 2 x MacTOPS is the datasheet's dense figure).
  Sparsity figures are never used. TF32 counts at 32 bits (see ``PRECISIONS``).
- PD (performance density) = TPP / applicable die area in mm2 (all logic dies made on a
  non-planar process; HBM stacks excluded).
- Memory bandwidth density (3A090.c, HBM) = bandwidth in GB/s / package area in mm2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from derisk.classify.catalogue_model import PRECISIONS, Chip

__all__ = ["ChipSpec", "tpp_terms"]

# Among precisions that tie for the largest term, the one a reader expects to see named.
_SHOWN = ("fp16", "bf16", "fp8", "int8", "fp4", "int4", "tf32", "fp32", "fp64")


@dataclass(frozen=True)
class ChipSpec:
    """A chip's figures, from the catalogue or given on the command line."""

    name: str
    dense_tops: dict[str, float] = field(default_factory=dict)
    die_area_mm2: float | None = None
    memory_bandwidth_gbps: float | None = None
    interconnect_gbps: float | None = None
    datacenter: bool = True
    kind: str = "accelerator"
    hbm_area_mm2: float | None = None
    chip_id: str | None = None  # catalogue id, when it came from the catalogue

    @classmethod
    def from_chip(cls, chip: Chip) -> ChipSpec:
        return cls(
            name=chip.name,
            dense_tops=dict(chip.dense_tops),
            die_area_mm2=chip.die_area_mm2,
            memory_bandwidth_gbps=chip.memory_bandwidth_gbps,
            interconnect_gbps=chip.interconnect_gbps,
            datacenter=chip.datacenter,
            kind=chip.kind,
            hbm_area_mm2=chip.hbm_area_mm2,
            chip_id=chip.id,
        )

    @cached_property
    def tpp(self) -> float:
        terms = tpp_terms(self.dense_tops)
        return max(terms.values()) if terms else 0.0

    @cached_property
    def tpp_precision(self) -> str | None:
        terms = tpp_terms(self.dense_tops)
        return max(terms, key=lambda p: (terms[p], -_SHOWN.index(p))) if terms else None

    @property
    def pd(self) -> float | None:
        if not self.die_area_mm2 or not self.dense_tops:
            return None
        return self.tpp / self.die_area_mm2

    @property
    def bandwidth_density(self) -> float | None:
        if self.kind != "hbm" or not self.memory_bandwidth_gbps or not self.hbm_area_mm2:
            return None
        return self.memory_bandwidth_gbps / self.hbm_area_mm2


def tpp_terms(dense_tops: dict[str, float]) -> dict[str, float]:
    """TOPS x bit length for every precision given (TPP is the largest)."""
    return {p: round(v * PRECISIONS[p], 4) for p, v in dense_tops.items()}
