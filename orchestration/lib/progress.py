"""What a build shows its user: a live progress line, the full log in a file, a summary.

Dagster's console logger writes every event at DEBUG (some 1,750 lines for the demo). The
command line runs its jobs with the ``build_log`` logger instead (``defs/loggers.py``): every
record goes to ``data/logs/build_<time>.log``, and the events feed a ``BuildProgress`` — phase,
step, files, rows, elapsed — drawn live on a terminal and summarized at the end. Runs started
from the Dagster UI keep Dagster's own logging; nothing here changes them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

_active: BuildProgress | None = None


def active() -> BuildProgress | None:
    """The progress of the build running in this process, if the command line started one."""
    return _active


def _metadata_value(value: Any) -> Any:
    return getattr(value, "value", value)


@dataclass
class Phase:
    name: str
    started: float
    ended: float | None = None
    ok: bool = True


@dataclass
class BuildProgress:
    """Counts read off the Dagster events of a build, and their display."""

    console: Console = field(default_factory=lambda: Console(stderr=True))
    started: float = field(default_factory=time.perf_counter)
    phases: list[Phase] = field(default_factory=list)
    step: str = ""
    steps_done: int = 0
    files: int = 0
    files_rejected: int = 0
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    models: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: int = 0
    _live: Live | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> BuildProgress:
        global _active
        _active = self
        if self.console.is_terminal:
            self._live = Live(
                self,
                console=self.console,
                refresh_per_second=4,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        self.end_phase()
        if self._live is not None:
            self._live.__exit__(*exc)  # type: ignore[arg-type]
            self._live = None
        _active = None

    def start_phase(self, name: str) -> None:
        self.end_phase()
        self.phases.append(Phase(name, time.perf_counter()))
        self.step = ""
        if self._live is None:  # no terminal (CI, a pipe): one line per phase
            self.console.print(f"[tadqiq] {name}", highlight=False)

    def end_phase(self, ok: bool = True) -> None:
        if self.phases and self.phases[-1].ended is None:
            self.phases[-1].ended = time.perf_counter()
            self.phases[-1].ok = ok

    # --- events ---------------------------------------------------------------------------

    def record(self, record: logging.LogRecord) -> None:
        """Count one Dagster log record (called from the ``build_log`` logger's handler)."""
        if record.levelno >= logging.WARNING:
            self.warnings += 1
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.step = event.step_key or ""
        elif kind == "STEP_SUCCESS":
            self.steps_done += 1
        elif kind == "STEP_FAILURE":
            self.errors.append(f"{event.step_key}: {meta.get('orig_message', '')}"[:300])
        elif kind == "ASSET_MATERIALIZATION":
            self._materialized(event)
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                self.checks_passed += 1
            else:
                key = evaluation.asset_key.to_user_string()
                self.checks_failed.append(f"{key} {evaluation.check_name}")

    def _materialized(self, event: Any) -> None:
        materialization = event.step_materialization_data.materialization
        metadata = {k: _metadata_value(v) for k, v in materialization.metadata.items()}
        if "new_files" in metadata:  # an ingestion asset (orchestration/defs/ingestion)
            self.files += int(metadata["new_files"])
            self.files_rejected += int(metadata.get("new_files_rejected", 0))
            self.rows_read += int(metadata.get("new_rows_read", 0))
            self.rows_landed += int(metadata.get("new_rows_landed", 0))
            self.rows_quarantined += int(metadata.get("new_rows_quarantined", 0))
        elif materialization.asset_key.path[0] in {"staging", "intermediate", "marts", "ingest"}:
            self.models += 1

    # --- display --------------------------------------------------------------------------

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __rich__(self) -> Text:
        phase = self.phases[-1].name if self.phases else "starting"
        line = Text.assemble(
            ("⏵ ", "bold cyan"),
            (phase, "bold"),
            f"  {self.step}" if self.step else "",
            "\n  ",
            f"{self.files:,} files ({self.files_rejected} rejected) · ",
            f"{self.rows_read:,} rows read, {self.rows_landed:,} landed, ",
            f"{self.rows_quarantined:,} quarantined · {self.models} models · ",
            f"checks {self.checks_passed} passed",
            (f", {len(self.checks_failed)} failed" if self.checks_failed else "", "red"),
            f" · {self.elapsed():.0f} s",
        )
        return line

    def summary(self) -> Table:
        table = Table(title="Build", show_header=True, header_style="bold", title_justify="left")
        table.add_column("phase")
        table.add_column("time", justify="right")
        table.add_column("", justify="left")
        for phase in self.phases:
            seconds = (phase.ended or time.perf_counter()) - phase.started
            table.add_row(phase.name, f"{seconds:.1f} s", "ok" if phase.ok else "FAILED")
        table.add_row("total", f"{self.elapsed():.1f} s", "", style="bold")
        return table

    def totals(self) -> list[str]:
        return [
            f"files ingested: {self.files:,} ({self.files_rejected} rejected)",
            f"rows: {self.rows_read:,} read = {self.rows_landed:,} landed"
            f" + {self.rows_quarantined:,} quarantined",
            f"dbt models built: {self.models}; checks: {self.checks_passed} passed, "
            f"{len(self.checks_failed)} failed",
        ]


class ProgressHandler(logging.Handler):
    """Feeds the active build's progress from the ``build_log`` logger."""

    def emit(self, record: logging.LogRecord) -> None:
        if (progress := active()) is not None:
            try:
                progress.record(record)
            except Exception:  # a display must never fail a run
                self.handleError(record)
