"""write_report: formats, atomic writes, standard output, and DR501 on failure."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.report import render_csv, render_html, write_report

FIXTURE = Path(__file__).parent.parent / "fixtures" / "report" / "screening_telecom.json"


@pytest.fixture
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return loaded


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_json_is_the_document(tmp_path: Path, document: dict[str, Any]) -> None:
    target = tmp_path / "out.json"
    write_report(document, "json", target)
    raw = target.read_bytes()
    assert raw.decode("utf-8") == json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    assert "华为技术有限公司".encode() in raw  # not \u escapes
    assert json.loads(raw) == document


def test_csv_and_html_files(tmp_path: Path, document: dict[str, Any]) -> None:
    write_report(document, "csv", tmp_path / "out.csv")
    write_report(document, "html", tmp_path / "out.html")
    assert (tmp_path / "out.csv").read_bytes() == render_csv(document).encode("utf-8")
    assert (tmp_path / "out.html").read_bytes() == render_html(document).encode("utf-8")
    assert _leftovers(tmp_path) == []


def test_overwrites_an_existing_report(tmp_path: Path, document: dict[str, Any]) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    write_report(document, "csv", target)
    assert target.read_text(encoding="utf-8").startswith("record_id,row,")


def test_stdout(capsysbinary: pytest.CaptureFixture[bytes], document: dict[str, Any]) -> None:
    write_report(document, "csv", None)
    assert capsysbinary.readouterr().out == render_csv(document).encode("utf-8")


def test_unknown_format(tmp_path: Path, document: dict[str, Any]) -> None:
    with pytest.raises(DeriskError) as caught:
        write_report(document, "pdf", tmp_path / "out.pdf")
    assert caught.value.code is ErrorCode.ARGUMENT_INVALID
    assert "'pdf'" in caught.value.message
    assert not (tmp_path / "out.pdf").exists()


def test_missing_directory_is_dr501_naming_the_file(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    target = tmp_path / "missing" / "out.html"
    with pytest.raises(DeriskError) as caught:
        write_report(document, "html", target)
    assert caught.value.code is ErrorCode.OUTPUT_WRITE
    assert caught.value.file == str(target)
    assert "DR501" in str(caught.value) and str(target) in str(caught.value)


def test_target_is_a_directory(tmp_path: Path, document: dict[str, Any]) -> None:
    (tmp_path / "out.html").mkdir()
    with pytest.raises(DeriskError) as caught:
        write_report(document, "html", tmp_path / "out.html")
    assert caught.value.code is ErrorCode.OUTPUT_WRITE
    assert _leftovers(tmp_path) == []


def test_failure_leaves_no_partial_file(
    tmp_path: Path, document: dict[str, Any], failing_step: str
) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous report", encoding="utf-8")
    with pytest.raises(DeriskError) as caught:
        write_report(document, "html", target)
    assert caught.value.code is ErrorCode.OUTPUT_WRITE
    assert caught.value.file == str(target)
    assert "No space left on device" in caught.value.message
    assert target.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_failure_leaves_no_file_when_there_was_none(
    tmp_path: Path, document: dict[str, Any], failing_step: str
) -> None:
    with pytest.raises(DeriskError):
        write_report(document, "csv", tmp_path / "report.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_permissions_follow_the_umask(tmp_path: Path, document: dict[str, Any]) -> None:
    old = os.umask(0o027)
    try:
        write_report(document, "json", tmp_path / "out.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o640


def test_stdout_failure_is_dr501(monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]) -> None:
    class Broken:
        def write(self, data: object) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            pass

    monkeypatch.setattr(sys, "stdout", Broken())
    with pytest.raises(DeriskError) as caught:
        write_report(document, "json", None)
    assert caught.value.code is ErrorCode.OUTPUT_WRITE
    assert caught.value.file == "<stdout>"


def test_lone_surrogates_do_not_break_the_write(tmp_path: Path) -> None:
    # e.g. a vendor name decoded with surrogateescape upstream
    document = {"findings": [{"record_id": "r", "row": 2, "input_vendor": "bad\udcff"}]}
    write_report(document, "json", tmp_path / "a.json")
    assert json.loads((tmp_path / "a.json").read_text(encoding="ascii")) == document
    write_report(document, "csv", tmp_path / "a.csv")
    assert "bad\\udcff" in (tmp_path / "a.csv").read_text(encoding="utf-8")
    write_report(document, "html", tmp_path / "a.html")
    assert "bad\\udcff" in (tmp_path / "a.html").read_text(encoding="utf-8")
