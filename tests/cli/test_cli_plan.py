"""``derisk plan`` and ``derisk scenario`` on the German operator example.

Every scheduled job is checked against the resources it was planned with (crews per region and
week, the blackout, vendor lead times, dependencies, the quarterly budget with carry-over), from
the JSON alone. Expected deadlines come from the knowledge base: Germany's 2024 agreements put
Huawei/ZTE out of 5G core by 2026-12-31 and out of network management by 2029-12-31.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from derisk.cli.app import app
from derisk.kb.loader import load_bundled

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "de-operator"
KB = load_bundled()
PROFILE = ["-c", "DE", "-s", "telecom", "--as-of", "2027-01-01"]


def run(*args: str, db: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("plan") / "kb.duckdb"


@pytest.fixture(scope="module")
def plan(db: Path) -> dict[str, Any]:
    code, out, err = run(
        "plan",
        str(EXAMPLE / "inventory.csv"),
        *PROFILE,
        "-r",
        str(EXAMPLE / "resources.yaml"),
        "--time-limit",
        "20",
        "--compare",
        "-f",
        "json",
        db=db,
    )
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return doc


def resources() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLE / "resources.yaml").read_text())
    return data


def weeks_of(job: dict[str, Any], start: date) -> range:
    first = (date.fromisoformat(job["start"]) - start).days // 7
    return range(first, first + job["duration_weeks"])


def test_plan_covers_the_flagged_core_and_management_records(plan: dict[str, Any]) -> None:
    assert plan["schema"] == "derisk.plan/1"
    domains = Counter(j["domain"] for j in plan["jobs"])
    # The DE rules flag core (deadline 2026-12-31) and management (2029-12-31) only.
    assert set(domains) == {"core", "management"}
    for j in plan["jobs"]:
        expected = "2026-12-31" if j["domain"] == "core" else "2029-12-31"
        assert j["deadline"] == expected
        # Huawei, ZTE, or companies they own (HiSilicon, their German units), as the DE rules say.
        for entity in j["replaces"]:
            owners = {path[-1] for path in KB.ownership_paths(entity, date(2027, 1, 1))}
            assert owners & {"huawei", "zte"}, entity
        assert j["vendor"] not in ("huawei", "zte") and j["vendor"] in j["alternatives"]


def test_every_job_respects_crews_blackout_and_lead_times(plan: dict[str, Any]) -> None:
    res = resources()
    start = date.fromisoformat(plan["start"])
    assert start == date(2027, 1, 4)
    use: Counter[tuple[str, int]] = Counter()
    freeze = (date(2027, 12, 13), date(2028, 1, 7))
    for j in plan["jobs"]:
        s, e = date.fromisoformat(j["start"]), date.fromisoformat(j["end"])
        assert e == s + timedelta(days=7 * j["duration_weeks"] - 1)
        assert not (s <= freeze[1] and e >= freeze[0]), j["job_id"]  # no work in the freeze
        lead = res["vendors"].get(j["vendor"], res["vendors"]["default"])["lead_time_weeks"]
        assert s >= start + timedelta(weeks=lead), j["job_id"]
        for w in weeks_of(j, start):
            use[(j["region"], w)] += 1
    for (region, w), n in use.items():
        month = (start + timedelta(weeks=w)).strftime("%Y-%m")
        crews = res["crews"]["months"].get(month, res["crews"]["regions"].get(region, 2))
        assert n <= crews, (region, w)


def test_management_waits_for_the_core(plan: dict[str, Any]) -> None:
    core_end = max(date.fromisoformat(j["end"]) for j in plan["jobs"] if j["domain"] == "core")
    for j in plan["jobs"]:
        if j["domain"] == "management":
            assert date.fromisoformat(j["start"]) > core_end


def test_quarterly_budget_with_carry_over(plan: dict[str, Any]) -> None:
    per_quarter = resources()["budget"]["per_quarter"]
    spent = allowed = 0.0
    for q in plan["by_quarter"]:
        spent += q["cost"]
        allowed += per_quarter
        assert spent <= allowed + plan["solver"]["extra_budget_used"]
    assert sum(j["cost"] for j in plan["jobs"]) == plan["summary"]["cost"]


def test_overdue_core_is_explained_and_management_is_met(plan: dict[str, Any]) -> None:
    shortfalls = plan["shortfalls"]
    late = {u["job_id"] for u in shortfalls["unmeetable"]}
    core = {j["job_id"] for j in plan["jobs"] if j["domain"] == "core"}
    assert late == core  # past their deadline on the start date: late whatever the plan
    assert {u["reason"] for u in shortfalls["unmeetable"]} == {"deadline already passed"}
    assert all(j["met"] for j in plan["jobs"] if j["domain"] == "management")
    assert plan["solver"]["status"] in ("optimal", "feasible")
    assert plan["heuristic"]["weighted_missed_days"] >= plan["summary"]["weighted_missed_days"]


def test_findings_file_gives_the_same_jobs(plan: dict[str, Any], db: Path, tmp_path: Path) -> None:
    findings = tmp_path / "findings.json"
    code, _, err = run(
        "screen",
        str(EXAMPLE / "inventory.csv"),
        *PROFILE,
        "-f",
        "json",
        "-o",
        str(findings),
        db=db,
    )
    assert code == 0, err
    code, out, err = run(
        "plan",
        "--findings",
        str(findings),
        "-r",
        str(EXAMPLE / "resources.yaml"),
        "--time-limit",
        "20",
        "-f",
        "json",
        db=db,
    )
    assert code == 0, err
    again = json.loads(out)
    assert sorted(j["job_id"] for j in again["jobs"]) == sorted(j["job_id"] for j in plan["jobs"])


def test_scenario_adds_jobs_and_leaves_the_knowledge_base_alone(db: Path) -> None:
    code, out, err = run(
        "scenario",
        str(EXAMPLE / "scenario-eu-36-months.yaml"),
        str(EXAMPLE / "inventory.csv"),
        *PROFILE,
        "-r",
        str(EXAMPLE / "resources.yaml"),
        "--time-limit",
        "20",
        "-f",
        "json",
        db=db,
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "derisk.scenario/1"
    assert doc["scenario_kb_version"] != doc["kb_version"]
    assert doc["baseline"]["kb_version"] == doc["kb_version"]
    # The scenario's removal provision covers RAN and transport too: new jobs there, and new
    # findings from the enacted regime.
    new = doc["difference"]["new_jobs"]
    assert new and {j.rsplit("/", 1)[1] for j in new} >= {"ran", "transport"}
    assert all(f["regime_id"] == "eu-csa2-proposal-2026" for f in doc["findings"]["new"])
    assert doc["difference"]["cost"] > 0
    # The store still holds the real knowledge base.
    code, out, _ = run("kb", "version", db=db)
    assert doc["kb_version"] in out


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("vendors:\n  samsung: {lead_time_weeks: 4}\n", "did you mean 'samsung-electronics'"),
        ("crews:\n  default: -1\n", "crews.default"),
        (
            "dependencies:\n  - {first: [core], then: [ran]}\n  - {first: [ran], then: [core]}\n",
            "cycle",
        ),
        ("fx: {}\ncurrency: GBP\n", "fx"),
        # Figures the solver cannot count with: not a number, more than 1e15 a quarter, a job
        # longer than the horizon (36 months = int(36 * 52 / 12) = 156 weeks), a start whose
        # horizon runs past the year 9999.
        ("budget: {per_quarter: .inf}\n", "budget.per_quarter"),
        ("budget: {per_quarter: 1.0e+300}\n", "budget.per_quarter"),
        ("horizon_months: 36\ndurations_weeks: {core: 157}\n", "157 weeks is longer"),
        ("start: 9999-06-01\n", "start"),
    ],
)
def test_bad_resources_exit_2_with_dr203(db: Path, tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(
        "plan",
        str(EXAMPLE / "inventory.csv"),
        *PROFILE,
        "-r",
        str(path),
        "--time-limit",
        "5",
        db=db,
    )
    assert code == 2, err
    assert "DR203" in err and words in err
    assert "Traceback" not in err and out == ""


def test_table_and_html_outputs(db: Path, tmp_path: Path) -> None:
    code, out, err = run(
        "plan",
        str(EXAMPLE / "inventory.csv"),
        *PROFILE,
        "-r",
        str(EXAMPLE / "resources.yaml"),
        "--time-limit",
        "10",
        db=db,
    )
    assert code == 0, err
    assert "cp-sat" in out and "FRA-CORE-01/core" in out
    html = tmp_path / "plan.html"
    code, _, err = run(
        "plan",
        str(EXAMPLE / "inventory.csv"),
        *PROFILE,
        "-r",
        str(EXAMPLE / "resources.yaml"),
        "--time-limit",
        "10",
        "-f",
        "html",
        "-o",
        str(html),
        db=db,
    )
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "FRA-CORE-01/core" in page


def test_a_start_too_late_for_the_horizon_is_a_clear_error(db: Path) -> None:
    code, out, err = run(
        "plan", str(EXAMPLE / "inventory.csv"), *PROFILE, "--start", "9999-06-01", db=db
    )
    assert code == 2 and "DR202" in err and "9999" in err
    assert "Traceback" not in err and out == ""
