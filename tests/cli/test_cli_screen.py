"""`derisk screen`: bad input gives a coded one-line error and exit 2, never a partial file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from derisk.cli.app import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store") / "kb.duckdb"


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# (file name, content, expected code, expected row, expected column) - row numbers as a
# spreadsheet shows them (header = row 1), worked out by hand from the content.
BAD_INPUTS = [
    ("malformed.csv", 'vendor,model\nHuawei,NE40E\n"ZTE,ZXR10\n', "DR105", None, None),
    ("fields.csv", "vendor,model\nHuawei,NE40E\nZTE,ZXR10,extra\n", "DR105", 3, None),
    ("novendor.csv", "model,site\nNE40E,FRA\n", "DR106", None, None),
    ("empty.csv", "", "DR102", None, None),
    ("header.csv", "vendor,model\n", "DR102", None, None),
    ("date.csv", "vendor,installed\nHuawei,2021-01-05\nZTE,05/01/2021\n", "DR107", 3, "installed"),
    ("domain.csv", "vendor,domain\nHuawei,core\nZTE,kitchen\n", "DR107", 3, "domain"),
    ("blank.csv", "vendor,model\nHuawei,NE40E\n ,ZXR10\n", "DR107", 3, "vendor"),
]


@pytest.mark.parametrize(("name", "content", "code", "row", "column"), BAD_INPUTS)
def test_bad_input_is_a_clear_error(
    db: Path,
    tmp_path: Path,
    name: str,
    content: str,
    code: str,
    row: int | None,
    column: str | None,
) -> None:
    path = write(tmp_path, name, content)
    out = tmp_path / "report.json"
    status, stdout, stderr = run(db, "screen", str(path), "-c", "DE", "-f", "json", "-o", str(out))
    assert status == 2
    assert stderr.startswith(f"error {code} ")
    assert name in stderr
    if row is not None:
        assert f"row {row}" in stderr
    if column is not None:
        assert f"column '{column}'" in stderr
    assert "Traceback" not in stderr + stdout
    assert not out.exists()  # nothing half written
    assert list(tmp_path.glob("report*")) == []


def test_wrong_encoding_is_refused_or_forced(db: Path, tmp_path: Path) -> None:
    # "Telefónica Mañana" in cp1252 vs cp1250 reads differently ("ñ" / "ń"): ambiguous.
    text = "vendor,model\nTelefónica Mañana,X\nHuawei,NE40E\n"
    path = write(tmp_path, "legacy.csv", text.encode("cp1252"))
    status, _, stderr = run(db, "screen", str(path), "-c", "ES")
    assert status == 2 and stderr.startswith("error DR103") and "--encoding" in stderr
    out = tmp_path / "ok.json"
    status, _, stderr = run(
        db, "screen", str(path), "-c", "ES", "--encoding", "cp1252", "-f", "json", "-o", str(out)
    )
    assert status == 0, stderr
    assert json.loads(out.read_text(encoding="utf-8"))["input"]["encoding"] == "cp1252"


def test_gbk_file_is_read_correctly(db: Path, tmp_path: Path) -> None:
    text = "vendor,domain,technology\n华为技术有限公司,core,5g\n中兴通讯股份有限公司,core,5g\n"
    path = write(tmp_path, "gbk.csv", text.encode("gbk"))
    out = tmp_path / "gbk.json"
    status, _, stderr = run(
        db,
        "screen",
        str(path),
        "-c",
        "DE",
        "-s",
        "telecom",
        "--as-of",
        "2027-01-01",
        "-f",
        "json",
        "-o",
        str(out),
    )
    assert status == 0, stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    core = [f for f in doc["findings"] if f["rule_id"] == "de-5g-bsig-9b-2024.core"]
    assert [(f["input_vendor"], f["entity_id"]) for f in core] == [
        ("华为技术有限公司", "huawei"),
        ("中兴通讯股份有限公司", "zte"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "01/01/2027"], "--as-of must be a date"),
        (["--fail-on", "bad"], "--fail-on must be one of"),
    ],
)
def test_bad_arguments(db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    path = write(tmp_path, "ok.csv", "vendor\nHuawei\n")
    status, _, stderr = run(db, "screen", str(path), "-c", "DE", *args)
    assert status == 2 and stderr.startswith("error DR202") and message in stderr


def test_no_country_is_an_error(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.csv", "vendor\nHuawei\n")
    status, _, stderr = run(db, "screen", str(path))
    assert status == 2 and "DR202" in stderr and "--country" in stderr


def test_bad_profile_names_the_key(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.csv", "vendor\nHuawei\n")
    profile = write(tmp_path, "p.yaml", "countries: [CN]\nproject_completion: 1.5\n")
    status, _, stderr = run(db, "screen", str(path), "--profile", str(profile))
    assert status == 2 and "DR201" in stderr and "project_completion" in stderr
    typo = write(tmp_path, "t.yaml", "countries: [CN]\nstate_fundd: true\n")
    status, _, stderr = run(db, "screen", str(path), "--profile", str(typo))
    assert status == 2 and "DR201" in stderr and "state_fundd" in stderr


def test_unwritable_output_leaves_nothing(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.csv", "vendor\nHuawei\n")
    out = tmp_path / "missing-dir" / "out.json"
    status, _, stderr = run(db, "screen", str(path), "-c", "DE", "-f", "json", "-o", str(out))
    assert status == 2 and stderr.startswith("error DR501")
    assert not out.parent.exists()


HOSTILE = '=HYPERLINK("http://evil.example","x")'


def test_hostile_text_is_neutralised_in_csv_and_html(db: Path, tmp_path: Path) -> None:
    vendor = "<script>alert(1)</script> Huawei"
    content = io.StringIO()
    w = csv.writer(content)
    w.writerows([["id", "vendor", "model"], [HOSTILE, vendor, "NE40E"], ["2", "+cmd|x", "y"]])
    path = write(tmp_path, "hostile.csv", content.getvalue())
    html_out, csv_out = tmp_path / "r.html", tmp_path / "r.csv"
    for fmt, out in (("html", html_out), ("csv", csv_out)):
        status, _, stderr = run(
            db, "screen", str(path), "-c", "DE", "-s", "telecom", "-f", fmt, "-o", str(out)
        )
        assert status == 0, stderr
    html = html_out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    with csv_out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, "Huawei should be flagged"
    assert {r["record_id"] for r in rows} == {"'" + HOSTILE}
    assert all(not r["input_vendor"].startswith(("=", "+", "-", "@")) for r in rows)


def test_fail_on_sets_exit_status(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", "vendor,domain,technology\nHuawei,core,5g\n")
    args = ["screen", str(path), "-c", "DE", "-s", "telecom", "--as-of", "2027-01-01"]
    assert run(db, *args, "--fail-on", "overdue")[0] == 1
    assert run(db, *args, "--fail-on", "prohibited")[0] == 0  # overdue is less severe


def test_terminal_summary(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "vendor,domain,technology\nHuawei,core,5g\nEricsson,ran,5g\n")
    status, stdout, _ = run(
        db, "screen", str(path), "-c", "DE", "-s", "telecom", "--as-of", "2027-01-01"
    )
    assert status == 0
    assert "overdue" in stdout and "2026-12-31" in stdout
    assert "Clear records: 1" in stdout


def test_no_listed_drops_informational_findings(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "n.csv", "vendor,domain,technology\nHuawei,ran,5g\n")
    out = tmp_path / "n.json"
    args = [
        "screen",
        str(path),
        "-c",
        "DE",
        "-s",
        "telecom",
        "--as-of",
        "2027-01-01",
        "-f",
        "json",
        "-o",
        str(out),
    ]
    assert run(db, *args)[0] == 0
    # DE rules do not cover radio hardware; the EU advisory and list memberships remain.
    assert {f["status"] for f in json.loads(out.read_text())["findings"]} == {"listed"}
    assert run(db, *args, "--no-listed")[0] == 0
    doc = json.loads(out.read_text())
    assert doc["findings"] == [] and doc["clear"] == ["2"]


def test_xlsx_and_jsonl_inputs_give_the_same_findings(db: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = [["id", "Manufacturer", "Network Domain", "RAT"], ["A", "ZTE Corp.", "Core", "NR"]]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    xlsx = tmp_path / "inv.xlsx"
    book.save(xlsx)
    jsonl = write(
        tmp_path,
        "inv.jsonl",
        '{"id": "A", "supplier": "ZTE Corp.", "domain": "core", "tech": "5G"}\n',
    )
    results = []
    for path in (xlsx, jsonl):
        out = tmp_path / f"{path.suffix[1:]}.json"
        status, _, err = run(
            db,
            "screen",
            str(path),
            "-c",
            "DE",
            "-s",
            "telecom",
            "--as-of",
            "2027-01-01",
            "--no-listed",
            "-f",
            "json",
            "-o",
            str(out),
        )
        assert status == 0, err
        doc = json.loads(out.read_text(encoding="utf-8"))
        results.append([(f["record_id"], f["rule_id"], f["status"]) for f in doc["findings"]])
    # Synonyms: Manufacturer/supplier -> vendor, NR/5G -> 5g, Core -> core.
    assert results[0] == results[1] == [("A", "de-5g-bsig-9b-2024.core", "overdue")]
