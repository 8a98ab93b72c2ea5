"""3A090 / 4A090 classification from datasheet figures, as of a date.

Expected values are hand calculations from the definitions in 88 FR 73458 (TPP = dense TOPS x
bit length; PD = TPP / die area; 3A090.a: TPP >= 4800, or TPP >= 1600 and PD >= 5.92; 3A090.b:
2400 <= TPP < 4800 and 1.6 <= PD < 5.92, or TPP >= 1600 and 3.2 <= PD < 5.92; Note 2) and from
the public TPP figures in the project's reference notes (A100 4992, H200 15832, H20 2368 with
PD about 2.9, RTX 4090 about 5286, RTX 4090D 4707, MI325X 20919). Datasheet figures are quoted
with the document they come from.
"""

from __future__ import annotations

from datetime import date

import pytest

from derisk.classify.catalogue import load_catalogue
from derisk.classify.catalogue_model import Chip, System
from derisk.classify.classification import classify_chip, classify_system
from derisk.classify.controls import Controls, load_controls
from derisk.classify.metrics import ChipSpec

AFTER_2023_RULE = date(2024, 1, 1)


@pytest.fixture(scope="module")
def controls() -> Controls:
    return load_controls()


def spec(
    tops: dict[str, float], die: float | None = None, *, dc: bool = True, **kw: float
) -> ChipSpec:
    return ChipSpec("test chip", tops, die_area_mm2=die, datacenter=dc, **kw)  # type: ignore[arg-type]


# --- TPP and PD reproduce the public figures from datasheet numbers ---------------------------


@pytest.mark.parametrize(
    ("tops", "die", "tpp", "pd"),
    [
        # NVIDIA A100 datasheet: FP16 tensor 312 TFLOPS dense, INT8 624 TOPS; GA100 826 mm2.
        ({"fp16": 312, "int8": 624}, 826, 4992, 4992 / 826),
        # NVIDIA H200 datasheet: FP8 3958 TFLOPS with sparsity = 1979 dense.
        ({"fp8": 1979, "fp16": 989.5}, None, 15832, None),
        # H20: FP16 148 TFLOPS dense, FP8 296; GH100 die 814 mm2 -> PD about 2.9.
        ({"fp16": 148, "fp8": 296}, 814, 2368, 2368 / 814),
        # Ada whitepaper, RTX 4090: INT8/FP8 tensor 660.6 TOPS dense; AD102 608.5 mm2.
        ({"int8": 660.6, "fp16": 330.3}, 608.5, 5284.8, 5284.8 / 608.5),
        # RTX 4090D: 114 of 128 SMs, INT8 588.35 TOPS dense.
        ({"int8": 588.35}, None, 4706.8, None),
        # AMD MI325X datasheet: FP8 2614.9 TFLOPS dense.
        ({"fp8": 2614.9, "fp16": 1307.4}, None, 20919.2, None),
    ],
)
def test_tpp_and_pd_reproduce_public_figures(
    tops: dict[str, float], die: float | None, tpp: float, pd: float | None
) -> None:
    s = spec(tops, die)
    assert s.tpp == pytest.approx(tpp, abs=0.05)
    if pd is None:
        assert s.pd is None
    else:
        assert s.pd == pytest.approx(pd, rel=1e-9)


def test_reference_rounded_figures_are_close() -> None:
    # The reference quotes "RTX 4090 about 5286" and "H20 PD about 2.9".
    assert spec({"int8": 660.6}).tpp == pytest.approx(5286, rel=0.001)
    assert spec({"fp16": 148}, 814).pd == pytest.approx(2.9, abs=0.02)


def test_tpp_is_the_maximum_over_precisions_not_a_sum() -> None:
    # fp64 100 x 64 = 6400 beats fp16 300 x 16 = 4800.
    s = spec({"fp64": 100, "fp16": 300})
    assert s.tpp == 6400
    assert s.tpp_precision == "fp64"


def test_tf32_counts_at_32_bits() -> None:
    # The documented choice (docs/classify.md): TF32 x 32.
    assert spec({"tf32": 200}).tpp == 6400


def test_no_dense_figures_means_undetermined_not_zero(controls: Controls) -> None:
    r = classify_chip(spec({}, 800), AFTER_2023_RULE, controls)
    assert r.eccn == "undetermined"


# --- thresholds of the October 2023 rule -----------------------------------------------------


@pytest.mark.parametrize(
    ("tops", "die", "dc", "eccn", "note2"),
    [
        # BIS example: 600 TOPS at 8 bits = TPP 4800 exactly -> 3A090.a.
        ({"fp8": 600}, None, True, "3A090.a", False),
        # Consumer part at exactly 4800: Note 2 needs TPP *under* 4800, so still 3A090.a.
        ({"fp8": 600}, None, False, "3A090.a", False),
        # TPP 4799.2, PD 4.7992: 3A090.b (2400 <= TPP < 4800, 1.6 <= PD < 5.92).
        ({"fp8": 599.9}, 1000, True, "3A090.b", False),
        # ... the same chip not for datacenters: Note 2 takes it out of 3A090.
        ({"fp8": 599.9}, 1000, False, "not_3A090", True),
        # TPP 1600, PD 1600/270 = 5.926 >= 5.92: 3A090.a by the density test.
        ({"fp8": 200}, 270, True, "3A090.a", False),
        # TPP 1600, PD 1600/271 = 5.904: just under 5.92, so 3A090.b (TPP >= 1600, PD >= 3.2).
        ({"fp8": 200}, 271, True, "3A090.b", False),
        # TPP 1599.2 with any density: under every TPP floor.
        ({"fp8": 199.9}, 100, True, "not_3A090", False),
        # TPP 2400, PD 2400/1500 = 1.6: 3A090.b (first test, PD at its floor).
        ({"fp8": 300}, 1500, True, "3A090.b", False),
        # TPP 2400, PD 2400/1501 = 1.599: under 1.6, and under 3.2 for the second test.
        ({"fp8": 300}, 1501, True, "not_3A090", False),
        # TPP 2368, PD 2.909 (the H20): no test holds.
        ({"fp16": 148}, 814, True, "not_3A090", False),
        # TPP 2000, PD 6.2 (a small dense die) -> 3A090.a by density (TPP >= 1600, PD >= 5.92).
        ({"fp16": 125}, 2000 / 6.2, True, "3A090.a", False),
        # RTX 4090D class: TPP 4706.8, PD 7.74, consumer -> Note 2.
        ({"int8": 588.35}, 608.5, False, "not_3A090", True),
    ],
)
def test_thresholds_after_the_2023_rule(
    controls: Controls,
    tops: dict[str, float],
    die: float | None,
    dc: bool,
    eccn: str,
    note2: bool,
) -> None:
    r = classify_chip(spec(tops, die, dc=dc), AFTER_2023_RULE, controls)
    assert (r.eccn, r.note2_applies) == (eccn, note2)


def test_each_threshold_test_reports_the_numbers_compared(controls: Controls) -> None:
    r = classify_chip(spec({"fp8": 599.9}, 1000), AFTER_2023_RULE, controls)
    text = " | ".join(s.text for s in r.steps)
    assert "4,799.20 >= 4800: False" in text
    assert "pd 4.80 >= 1.6: True" in text
    assert "PD = TPP / die area = 4,799.2 / 1000 mm2 = 4.799" in text


def test_missing_die_area_leaves_density_tests_undecided(controls: Controls) -> None:
    # TPP 3000 needs PD to decide .b; with no die area it cannot be decided.
    assert classify_chip(spec({"fp16": 187.5}), AFTER_2023_RULE, controls).eccn == "undetermined"
    # TPP 5000 is 3A090.a by TPP alone.
    assert classify_chip(spec({"fp16": 312.5}), AFTER_2023_RULE, controls).eccn == "3A090.a"


# --- dates: the October 2022 parameters, and before 3A090 existed ---------------------------


def test_october_2022_rule_needed_interconnect_as_well(controls: Controls) -> None:
    # 87 FR 62186: TPP >= 4800 AND bidirectional interconnect >= 600 GB/s.
    a100 = spec({"fp16": 312}, 826, interconnect_gbps=600)  # NVLink 600 GB/s
    a800 = spec({"fp16": 312}, 826, interconnect_gbps=400)  # A800: NVLink cut to 400 GB/s
    on = date(2023, 6, 1)
    assert classify_chip(a100, on, controls).eccn == "3A090.a"
    assert classify_chip(a800, on, controls).eccn == "not_3A090"
    # From 17 November 2023 the interconnect test is gone: the A800 is 3A090.a too.
    assert classify_chip(a800, date(2023, 11, 17), controls).eccn == "3A090.a"
    assert classify_chip(a800, date(2023, 11, 16), controls).eccn == "not_3A090"


def test_nothing_is_3a090_before_7_october_2022(controls: Controls) -> None:
    h100 = spec({"fp8": 1979}, 814, interconnect_gbps=900)
    assert classify_chip(h100, date(2022, 10, 6), controls).eccn == "not_3A090"
    assert classify_chip(h100, date(2022, 10, 7), controls).eccn == "3A090.a"


def test_hbm_is_3a090c_from_december_2024(controls: Controls) -> None:
    # 89 FR 96790: HBM with memory bandwidth density above 2 GB/s/mm2. A stack of 819 GB/s on
    # 110 mm2 has 7.45 GB/s/mm2 (hand calculation).
    hbm = ChipSpec("HBM3 stack", {}, memory_bandwidth_gbps=819, kind="hbm", hbm_area_mm2=110)
    assert hbm.bandwidth_density == pytest.approx(819 / 110)
    assert classify_chip(hbm, date(2024, 12, 2), controls).eccn == "3A090.c"
    assert classify_chip(hbm, date(2024, 12, 1), controls).eccn == "not_3A090"
    # 200 GB/s on 110 mm2 = 1.82 GB/s/mm2: under the threshold.
    slow = ChipSpec("old stack", {}, memory_bandwidth_gbps=200, kind="hbm", hbm_area_mm2=110)
    assert classify_chip(slow, date(2025, 1, 1), controls).eccn == "not_3A090"


# --- systems ---------------------------------------------------------------------------------


def test_systems_take_4a090_from_their_chips(controls: Controls) -> None:
    a = classify_chip(spec({"fp8": 1979}, 814), AFTER_2023_RULE, controls)
    b = classify_chip(spec({"fp8": 599.9}, 1000), AFTER_2023_RULE, controls)
    clear = classify_chip(spec({"fp16": 148}, 814), AFTER_2023_RULE, controls)
    assert classify_system("8 x a", [(a, 8)])[0] == "4A090.a"
    assert classify_system("8 x b", [(b, 8)])[0] == "4A090.b"
    assert classify_system("mixed", [(b, 4), (a, 1)])[0] == "4A090.a"
    assert classify_system("8 x H20-class", [(clear, 8)])[0] == "not_3A090"


# --- the catalogue: the public figures, by name ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "tpp"),
    [
        ("A100 SXM4 80GB", 4992),
        ("H200 SXM", 15832),
        ("H20", 2368),
        ("RTX 4090", 5286),
        ("RTX 4090D", 4707),
        ("MI325X", 20919),
    ],
)
def test_catalogue_reproduces_public_tpp(name: str, tpp: float) -> None:
    item = load_catalogue().find(name)
    assert isinstance(item, Chip)
    assert ChipSpec.from_chip(item).tpp == pytest.approx(tpp, rel=0.001)


@pytest.mark.parametrize(
    ("name", "on", "eccn"),
    [
        ("H100 SXM", date(2024, 1, 1), "3A090.a"),
        ("RTX 4090", date(2024, 1, 1), "3A090.a"),
        ("RTX 4090D", date(2024, 1, 1), "not_3A090"),  # Note 2 only
        ("H20", date(2025, 6, 1), "not_3A090"),  # licensed by letter, not by ECCN
        ("A800 SXM", date(2023, 6, 1), "not_3A090"),  # built to the 2022 interconnect limit
        ("A800 SXM", date(2024, 1, 1), "3A090.a"),
    ],
)
def test_catalogue_chip_classification_by_date(
    controls: Controls, name: str, on: date, eccn: str
) -> None:
    item = load_catalogue().find(name)
    assert isinstance(item, Chip)
    assert classify_chip(ChipSpec.from_chip(item), on, controls).eccn == eccn


def test_catalogue_system_dgx_h100_is_4a090a(controls: Controls) -> None:
    system = load_catalogue().find("DGX H100")
    assert isinstance(system, System)
    cat = load_catalogue()
    parts = [
        (classify_chip(ChipSpec.from_chip(cat.chips[p.chip]), AFTER_2023_RULE, controls), p.count)
        for p in system.contains
    ]
    assert sum(n for _, n in parts) == 8  # NVIDIA DGX H100: eight H100 SXM5 GPUs
    assert classify_system(system.name, parts)[0] == "4A090.a"


def test_catalogue_lookup_is_fuzzy_but_never_guesses_between_two_chips() -> None:
    cat = load_catalogue()
    assert cat.find("nvidia geforce rtx 4090").id == "nvidia-rtx-4090"
    assert cat.find("RTX 4090 D").id == "nvidia-rtx-4090d"
    found = cat.lookup("A100")
    assert found.item is None and found.ambiguous  # SXM or PCIe, 40 or 80 GB: the user must say
    assert len(found.closest) > 1
    nothing = cat.lookup("Voodoo 5 6000")
    assert nothing.item is None and not nothing.ambiguous


def test_informed_rule_names_chips_that_exist_in_the_catalogue(controls: Controls) -> None:
    cat = load_catalogue()
    for rule in controls.rules.informed:
        assert set(rule.chips) <= set(cat.chips), rule.id
