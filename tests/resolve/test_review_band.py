"""Scores below the threshold but in the review band are reported for an analyst."""

from __future__ import annotations

import math
from datetime import date

import pyarrow as pa
import pytest

from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import Entity, Source
from derisk.profile import Profile
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import resolve_name
from derisk.resolve.score import default_model
from derisk.screening.document import build_document
from derisk.screening.pipeline import ScreenContext, screen_table


def test_review_band_by_hand() -> None:
    model = default_model()
    index = NameIndex([Entity(id="ab", name="Alphabet Bravo", sources=["s"])])
    found, doubtful = resolve_name("Alphonse Bravo", index)
    # By hand: distinctive words {alphonse, bravo} vs {alphabet, bravo}; 'bravo' aligns
    # (similarity 1.0). 'alphonse' / 'alphabet' are 4 edits apart (OSA similarity 0.5), 3
    # more than an 8-letter word allows, too far to align: 8 of 13 characters unmatched on
    # each side. Being that close, they may be one word misspelt, so it is no substitution
    # ("Alpha Charlie" / "Alpha Bravo" is one, and scores far below the band). No other
    # feature fires.
    w = model.weights
    z = (
        model.intercept
        + w["similarity"] * 1.0
        + w["excess_edits"] * 3
        + w["unmatched_max"] * 8 / 13
        + w["unmatched_min"] * 8 / 13
    )
    expected = 1 / (1 + math.exp(-z))
    assert model.review <= expected < model.threshold  # the model puts it in the band
    assert found is None
    assert doubtful is not None and doubtful.entity_id == "ab"
    assert doubtful.result.score == pytest.approx(expected, abs=1e-4)


def test_review_items_appear_in_the_screen_document() -> None:
    kb = KnowledgeBase(
        sources=[Source(id="s", title="t")],
        entities=[Entity(id="ab", name="Alphabet Bravo", sources=["s"])],
        ownership=[],
        lists=[],
        regimes=[],
    )
    records = pa.table(
        {
            "row": pa.array([2, 3], pa.int64()),
            "record_id": ["r1", "r2"],
            "vendor": ["Alphonse Bravo", "Unrelated Name"],
            **{
                c: pa.nulls(2, pa.string())
                for c in (
                    "model",
                    "description",
                    "site",
                    "currency",
                    "kind",
                    "country",
                    "domain",
                    "technology",
                )
            },
            "quantity": pa.nulls(2, pa.float64()),
            "installed": pa.nulls(2, pa.date32()),
            "unit_cost": pa.nulls(2, pa.float64()),
        }
    )
    profile = Profile(countries=["DE"])
    ctx = ScreenContext.build(kb, profile, date(2027, 1, 1))
    findings = screen_table(records, ctx)
    doc = build_document(
        findings=findings,
        records=records,
        kb=kb,
        profile=profile,
        as_of=date(2027, 1, 1),
        input_info={},
        review=ctx.resolver.review,
    )
    assert doc["findings"] == [] and doc["clear"] == ["r1", "r2"]
    assert [(r["record_id"], r["entity_id"]) for r in doc["review"]] == [("r1", "ab")]
