"""Profiles: YAML file plus flags, flags win; bad keys and values are DR201."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.profile import Profile, load_profile


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_flags_override_the_file(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "countries: [CN]\nsector: datacenter\nstate_funded: true\nproject_completion: 0.2\n"
        "as_of: 2026-12-01\n",
    )
    profile, as_of = load_profile(path, {"countries": ["de"], "sector": None})
    assert profile.countries == ["DE"]
    assert profile.sector == "datacenter"  # not overridden: the flag was not given
    assert profile.state_funded is True and profile.project_completion == 0.2
    assert as_of == date(2026, 12, 1)


def test_uk_means_gb() -> None:
    assert Profile(countries=["uk", "el"]).countries == ["GB", "GR"]


def test_custom_attributes(tmp_path: Path) -> None:
    path = _file(tmp_path, "countries: [US]\nattributes: {usf_recipient: true}\n")
    profile, _ = load_profile(path, {})
    assert profile.attribute("usf_recipient") is True
    assert profile.attribute("federal_contractor") is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("countries: [CN]\nproject_completion: 1.5\n", "project_completion"),
        ("countries: [CN]\nsector: mining\n", "sector"),
        ("countries: [Germany]\n", "countries"),
        ("countries: [CN]\nstate_fundd: true\n", "state_fundd"),
        ("- just a list\n", "mapping"),
    ],
)
def test_bad_profiles(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(DeriskError) as exc:
        load_profile(_file(tmp_path, text), {})
    assert exc.value.code is ErrorCode.PROFILE_INVALID
    assert fragment in exc.value.message


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(DeriskError) as exc:
        load_profile(tmp_path / "nope.yaml", {})
    assert exc.value.code is ErrorCode.INPUT_NOT_FOUND
