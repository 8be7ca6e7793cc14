"""The data team's command line: `tadqiq ingest`, `tadqiq status`, and the build's progress
display and log file, each checked against files and events made here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from ingestion.contracts import BUDGET_EXECUTION, CONTRACTS, IC_DIAGNOSTIC
from ingestion.inbox import ingest_source
from ingestion.readers import guess_contract
from orchestration.cli import main
from orchestration.defs.loggers import build_log
from orchestration.lib import status
from orchestration.lib.progress import BuildProgress
from orchestration.lib.settings import inbox_dir, raw_dir

HEADER = ";".join(BUDGET_EXECUTION.header)
GOOD = "06;2024;1.10.10;Part du produit de la TVA;100,00;100,00;;;90,00;90,00"


def budget_file(folder: Path, name: str, *rows: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path / "data"


def test_guess_contract_reads_the_header(tmp_path: Path) -> None:
    budget = budget_file(tmp_path, "any_name.csv", GOOD)
    assert guess_contract(budget, CONTRACTS) is BUDGET_EXECUTION
    unknown = tmp_path / "other.csv"
    unknown.write_text("a;b\n1;2\n", encoding="utf-8")
    assert guess_contract(unknown, CONTRACTS) is None
    assert guess_contract(tmp_path / "missing.xlsx", [IC_DIAGNOSTIC]) is None


def test_ingest_checks_copies_and_names_row_and_column(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = GOOD.replace("06;2024;1.10.10", "06;2024;1.10.20").replace("100,00;100,00", "abc;1,00")
    loose = budget_file(tmp_path / "sent", "execution_06_2024.csv", GOOD, bad)
    main(["ingest", str(loose)])  # a quarantined row is not a failure: the rest lands
    out = capsys.readouterr().out
    assert "2 rows read, 1 will land, 1 quarantined" in " ".join(out.split())
    assert "row 3, column credits_initiaux ('abc')" in out  # the header is row 1
    copied = data / "inbox" / "budget_execution" / "execution_06_2024.csv"
    assert copied.read_bytes() == loose.read_bytes()


def test_ingest_reports_a_rejected_file_and_fails(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header_only = budget_file(tmp_path, "vide.csv")
    with pytest.raises(SystemExit) as done:
        main(["ingest", "--source", "budget_execution", str(header_only)])
    assert done.value.code == 1
    assert "aucune ligne de données" in capsys.readouterr().out
    assert not (data / "inbox" / "budget_execution" / "vide.csv").exists()


def test_status_counts_what_the_inbox_holds(data: Path) -> None:
    inbox = data / "inbox" / "budget_execution"
    budget_file(inbox, "a.csv", GOOD)
    budget_file(inbox, "b.csv", GOOD.replace("06;", "05;", 1))
    (inbox / "empty.csv").write_bytes(b"")
    ingest_source(inbox_dir(), BUDGET_EXECUTION, {"05", "06"}, raw_dir())
    budget_file(inbox, "c.csv", GOOD.replace(";100,00;", ";101,00;", 1))  # not ingested yet
    row = (
        status.freshness()
        .filter(status.freshness()["source"] == "budget_execution")
        .row(0, named=True)
    )
    assert (row["loaded"], row["rejected"], row["pending"], row["rows_in_force"]) == (2, 1, 1, 2)
    rejected = status.rejected_files()
    assert rejected["source_file"].to_list() == ["empty.csv"]
    assert status.current_snapshot() is None


@dg.asset(key=["budget", "execution"])
def fake_ingestion() -> dg.MaterializeResult:
    dg.get_dagster_logger().debug("a debug line that must not reach the terminal")
    return dg.MaterializeResult(
        metadata={"new_files": 3, "new_files_rejected": 1, "new_rows_read": 10,
                  "new_rows_landed": 9, "new_rows_quarantined": 1}
    )  # fmt: skip


@dg.asset_check(asset=fake_ingestion)
def fails() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False)


def test_build_log_feeds_the_progress_and_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "logs" / "build.log"
    job = dg.Definitions(
        assets=[fake_ingestion], asset_checks=[fails], jobs=[dg.define_asset_job("fake")],
        loggers={"build_log": build_log},
    ).resolve_job_def("fake")  # fmt: skip
    with BuildProgress() as progress:
        progress.start_phase("one fake ingestion")
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            run_config={"loggers": {"build_log": {"config": {"path": str(log)}}}},
            raise_on_error=False,
        )
    assert result.success
    assert (progress.files, progress.files_rejected) == (3, 1)
    assert (progress.rows_read, progress.rows_landed, progress.rows_quarantined) == (10, 9, 1)
    assert progress.checks_failed == ["budget/execution fails"]
    assert progress.steps_done == len(result.get_step_success_events())
    text = log.read_text(encoding="utf-8")
    assert "STEP_START" in text or "Started execution of step" in text
    assert "a debug line that must not reach the terminal" in text
    captured = capsys.readouterr()
    assert "a debug line" not in captured.out + captured.err
    assert [phase.name for phase in progress.phases] == ["one fake ingestion"]
    assert os.path.getsize(log) > 0


def test_one_build_at_a_time_and_a_killed_one_leaves_no_lock(data: Path) -> None:
    from orchestration.lib.settings import BuildRunningError, build_lock

    with build_lock(), pytest.raises(SystemExit, match="a build is already running"):
        main(["build"])  # stops before any work: nothing is parsed, nothing is run
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time; from orchestration.lib.settings import build_lock\n"
         "with build_lock():\n    print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ},
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with pytest.raises(BuildRunningError, match=f"pid {holder.pid}"), build_lock():
        pass
    holder.kill()  # SIGKILL: no clean-up ran
    holder.wait()
    with build_lock():  # the kernel released the dead holder's lock
        pass


KILLED_BUILD = """
import time
import dagster as dg
from orchestration.lib.runner import CLI_TAG

@dg.op
def slow():
    print("started", flush=True)
    time.sleep(120)

@dg.job
def build_step():
    slow()

with dg.DagsterInstance.get() as instance:
    build_step.execute_in_process(instance=instance, tags={CLI_TAG: "cli"})
"""


def test_a_killed_build_run_is_marked_failed_by_the_next(tmp_path: Path) -> None:
    from orchestration.lib.runner import ABANDONED, fail_abandoned_runs

    home = tmp_path / "dagster_home"
    home.mkdir()
    script = tmp_path / "killed_build.py"
    script.write_text(KILLED_BUILD, encoding="utf-8")
    build = subprocess.Popen(
        [sys.executable, str(script)], env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert build.stdout is not None and build.stdout.readline().strip() == "started"
    build.kill()  # SIGKILL mid-run: Dagster never hears that the run ended
    build.wait()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.STARTED  # what the UI would show forever
        assert fail_abandoned_runs(instance) == [run.run_id]
        failed = instance.get_run_by_id(run.run_id)
        assert failed is not None and failed.status == dg.DagsterRunStatus.FAILURE
        messages = [entry.message for entry in instance.all_logs(run.run_id)]
        assert any(ABANDONED in (message or "") for message in messages)
        assert fail_abandoned_runs(instance) == []  # once
