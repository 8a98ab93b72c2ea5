"""The bundled chip catalogue: schema, references, and the public TPP figures it must reproduce."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from derisk.classify.catalogue_model import PRECISIONS, Chip, ChipFile
from derisk.kb.loader import bundled_data_dir
from derisk.kb.model import EntityFile, SourceFile

DATA = bundled_data_dir()
CATALOGUE = DATA / "chips" / "catalogue.yaml"
CHIP_SOURCES = DATA / "sources" / "chips.yaml"


def _load(path: Path) -> object:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def catalogue() -> ChipFile:
    return ChipFile.model_validate(_load(CATALOGUE))


@pytest.fixture(scope="module")
def chips(catalogue: ChipFile) -> dict[str, Chip]:
    return {chip.id: chip for chip in catalogue.chips}


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    files = sorted((DATA / "sources").glob("*.yaml"))
    return {s.id for f in files for s in SourceFile.model_validate(_load(f)).sources}


@pytest.fixture(scope="module")
def entity_ids() -> set[str]:
    files = sorted((DATA / "entities").glob("*.yaml"))
    return {e.id for f in files for e in EntityFile.model_validate(_load(f)).entities}


def tpp(chip: Chip) -> float:
    """Total processing performance: the largest dense TOPS x bit length over precisions."""
    return max(value * PRECISIONS[precision] for precision, value in chip.dense_tops.items())


def test_catalogue_has_chips_and_systems(catalogue: ChipFile) -> None:
    assert len(catalogue.chips) >= 40
    assert len(catalogue.systems) >= 10


def test_ids_are_unique(catalogue: ChipFile) -> None:
    ids = [c.id for c in catalogue.chips] + [s.id for s in catalogue.systems]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_chip_source_ids_are_prefixed_and_unique() -> None:
    sources = SourceFile.model_validate(_load(CHIP_SOURCES)).sources
    ids = [s.id for s in sources]
    assert all(i.startswith("src-chip-") for i in ids)
    assert len(ids) == len(set(ids))


def test_source_ids_are_unique_across_registry() -> None:
    files = sorted((DATA / "sources").glob("*.yaml"))
    ids = [s.id for f in files for s in SourceFile.model_validate(_load(f)).sources]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_every_cited_source_exists(catalogue: ChipFile, source_ids: set[str]) -> None:
    cited: set[str] = set()
    for chip in catalogue.chips:
        cited.update(chip.sources)
        for ids in chip.figure_sources.values():
            cited.update(ids)
    for system in catalogue.systems:
        cited.update(system.sources)
    assert sorted(cited - source_ids) == []


def test_figure_sources_are_among_the_chip_sources(catalogue: ChipFile) -> None:
    for chip in catalogue.chips:
        for figure, ids in chip.figure_sources.items():
            assert set(ids) <= set(chip.sources), (chip.id, figure)


def test_every_recorded_figure_names_its_sources(catalogue: ChipFile) -> None:
    figures = ["dense_tops", "die_area_mm2", "memory_bandwidth_gbps", "interconnect_gbps"]
    for chip in catalogue.chips:
        for figure in [*figures, "memory_gb", "hbm_area_mm2"]:
            if getattr(chip, figure):
                assert chip.figure_sources.get(figure), (chip.id, figure)


def test_every_maker_is_a_known_entity(catalogue: ChipFile, entity_ids: set[str]) -> None:
    makers = {c.maker for c in catalogue.chips} | {s.maker for s in catalogue.systems}
    assert sorted(makers - entity_ids) == []


def test_every_system_component_is_a_catalogued_chip(
    catalogue: ChipFile, chips: dict[str, Chip]
) -> None:
    for system in catalogue.systems:
        for component in system.contains:
            assert component.chip in chips, (system.id, component.chip)


# Public TPP figures from /work/shared/reference/export-controls.md ("Public TPP figures useful
# as checks"): A100 4992; H200 15832; H20 2368 (PD about 2.9); RTX 4090 about 5286;
# RTX 4090D 4707; MI325X 20919. They are the expected values, not the catalogue's own output.
@pytest.mark.parametrize(
    ("chip_id", "public_tpp", "tolerance"),
    [
        ("nvidia-a100-sxm4-80gb", 4992, 1),
        ("nvidia-a100-sxm4-40gb", 4992, 1),
        ("nvidia-a100-pcie-40gb", 4992, 1),
        ("nvidia-a100-pcie-80gb", 4992, 1),
        ("nvidia-h200-sxm", 15832, 1),
        ("nvidia-h20", 2368, 1),
        ("amd-instinct-mi325x", 20919, 1),
        ("nvidia-rtx-4090", 5286, 3),
        ("nvidia-rtx-4090d", 4707, 3),
    ],
)
def test_tpp_matches_public_figure(
    chips: dict[str, Chip], chip_id: str, public_tpp: float, tolerance: float
) -> None:
    assert tpp(chips[chip_id]) == pytest.approx(public_tpp, abs=tolerance)


def test_h20_performance_density_matches_public_figure(chips: dict[str, Chip]) -> None:
    # export-controls.md: H20 PD about 2.9, which needs the full GH100 die (814 mm²).
    h20 = chips["nvidia-h20"]
    assert h20.die_area_mm2 is not None
    assert tpp(h20) / h20.die_area_mm2 == pytest.approx(2.9, abs=0.05)


def test_h100_sxm_records_dense_not_sparse_rates(chips: dict[str, Chip]) -> None:
    # NVIDIA H100 datasheet: FP16 Tensor 1,979* and FP8 3,958* TFLOPS, * with sparsity;
    # dense is half of each.
    h100 = chips["nvidia-h100-sxm5"].dense_tops
    assert h100["fp16"] == pytest.approx(989.4)
    assert h100["fp8"] == pytest.approx(1979)


def test_below_4800_gaming_cards_are_not_datacenter(chips: dict[str, Chip]) -> None:
    # Note 2 to 3A090 depends on this flag: the China-market GeForce cards sit just under 4800.
    for chip_id in ["nvidia-rtx-4090", "nvidia-rtx-4090d", "nvidia-rtx-5090d"]:
        assert chips[chip_id].datacenter is False
    assert tpp(chips["nvidia-rtx-4090d"]) < 4800
    assert tpp(chips["nvidia-rtx-5090d"]) < 4800
