"""`tadqiq`: the common jobs, each a thin call into the generator, Dagster, dbt or Streamlit."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from orchestration.lib.settings import (
    DBT_PROJECT_DIR,
    REPO_ROOT,
    BuildRunningError,
    build_lock,
    data_dir,
    inbox_dir,
    published_dir,
    set_env_defaults,
)


def _years(text: str) -> list[int]:
    start, _, end = text.partition("-")
    return list(range(int(start), int(end or start) + 1))


def _contracts() -> list:
    from ingestion.contracts import CONTRACTS

    return CONTRACTS


def _say(message: str) -> None:
    print(f"[tadqiq] {message}", flush=True)


def cmd_generate(args: argparse.Namespace) -> None:
    from tadqiq.synthetic import generate

    started = time.perf_counter()
    truth = data_dir() / "ground_truth" / "anomalies.csv"
    written = generate(
        inbox_dir(),
        scope=args.scope,
        years=args.years,
        seed=args.seed,
        ground_truth=truth,
        broken=args.broken,
    )
    _say(
        f"generated {args.scope} scope, years {args.years[0]}-{args.years[-1]}: "
        + ", ".join(f"{n} {source} files" for source, n in written.items())
        + f" in {inbox_dir()} ({time.perf_counter() - started:.1f} s)"
    )


def dbt_parse() -> None:
    """Write dbt's manifest, which the Dagster dbt assets are built from."""
    from dbt.cli.main import dbtRunner

    project = str(DBT_PROJECT_DIR)
    result = dbtRunner().invoke(
        ["parse", "--project-dir", project, "--profiles-dir", project, "--quiet"]
    )
    if not result.success:
        raise SystemExit(f"dbt parse failed: {result.exception}")


@contextlib.contextmanager
def _logging_to(stream: TextIO) -> Iterator[None]:
    """Python's root logger (Great Expectations, dbt, Dagster's own warnings) to ``stream``."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def build_log_path() -> Path:
    return data_dir() / "logs" / f"build_{time.strftime('%Y%m%d_%H%M%S')}.log"


def cmd_build(_: argparse.Namespace) -> None:
    """Every job in order, with a progress display, the full log in a file and a summary."""
    import dagster as dg
    from rich.console import Console

    from orchestration.lib.progress import BuildProgress
    from orchestration.lib.runner import ABANDONED, fail_abandoned_runs, run_pipeline

    log = build_log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    console = Console(file=sys.stderr, highlight=False)  # kept while the streams go to the log
    _say(f"build log: {log}")
    run_config = {"loggers": {"build_log": {"config": {"path": str(log)}}}}
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(build_lock())
        except BuildRunningError as running:
            raise SystemExit(f"[tadqiq] {running}: wait for it, or see `tadqiq status`") from None
        log_stream = stack.enter_context(log.open("a", encoding="utf-8"))
        stack.enter_context(_logging_to(log_stream))
        progress = stack.enter_context(BuildProgress(console=console))
        stack.enter_context(contextlib.redirect_stdout(log_stream))  # dbt's lines, banners
        stack.enter_context(contextlib.redirect_stderr(log_stream))
        progress.start_phase("parsing the dbt project")
        dbt_parse()
        with dg.DagsterInstance.get() as instance:
            for run_id in fail_abandoned_runs(instance):
                progress.console.print(f"[tadqiq] run {run_id[:8]} marked failed: {ABANDONED}")
            results = run_pipeline(instance, say=progress.start_phase, run_config=run_config)
        failed = not all(result.success for result in results) or progress.checks_failed
        progress.end_phase(ok=not failed)
    console.print(progress.summary())
    for line in progress.totals():
        _say(line)
    for check in progress.checks_failed:
        _say(f"check failed: {check}")
    for error in progress.errors:
        _say(f"step failed: {error}")
    if failed:
        raise SystemExit(f"[tadqiq] build failed; the whole log is in {log} (and `tadqiq ui`)")
    _say(f"build succeeded in {progress.elapsed():.1f} s ({len(results)} runs)")
    _print_summary()


def _print_summary() -> None:
    import duckdb

    current = (published_dir() / "CURRENT").read_text(encoding="utf-8").strip()
    with duckdb.connect(str(published_dir() / current), read_only=True) as con:
        for table in ("dim_collectivities", "fct_indicators", "fct_risk_scores"):
            (count,) = con.execute(f"select count(*) from marts.{table}").fetchone()
            _say(f"  marts.{table}: {count} rows")
    _say(f"published snapshot: {published_dir() / current}")


def serve_command(port: int, production: bool = False) -> list[str]:
    """The Streamlit command line of the dashboard.

    Always: headless, no usage statistics, bound to ``TADQIQ_BIND_ADDRESS`` (loopback by
    default: a bound address also stops Streamlit from asking an outside service for the
    machine's public IP at start-up). ``production`` adds what a ministry deployment needs
    behind its TLS reverse proxy (docs/operations.md): no error details or tracebacks shown to
    users (they stay in the server log), the viewer toolbar, XSRF protection, no static file
    serving, and no file watcher.
    """
    app = REPO_ROOT / "dashboards" / "app.py"
    address = os.environ.get("TADQIQ_BIND_ADDRESS", "127.0.0.1")
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if production:
        command += [
            "--client.showErrorDetails", "none",
            "--client.toolbarMode", "viewer",
            "--server.enableXsrfProtection", "true",
            "--server.xsrfCookieSameSite", "strict",
            "--server.enableStaticServing", "false",
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
        ]  # fmt: skip
    return command


def cmd_serve(args: argparse.Namespace) -> None:
    command = serve_command(args.port, production=getattr(args, "production", False))
    _say(f"dashboard at http://localhost:{args.port}  (Ctrl+C to stop)")
    subprocess.run(command, check=False, cwd=REPO_ROOT)


def cmd_ui(args: argparse.Namespace) -> None:
    dbt_parse()
    _say(f"Dagster UI at http://localhost:{args.port}  (Ctrl+C to stop)")
    subprocess.run(
        [sys.executable, "-m", "dagster", "dev", "-m", "orchestration.definitions",
         "-p", str(args.port)],
        check=False,
        cwd=REPO_ROOT,
    )  # fmt: skip


def cmd_accounts(args: argparse.Namespace) -> int:
    """The local accounts: named people (add, disable, enable, reset, list), and the demo
    accounts, which only the demo creates (``tadqiq demo``, ``tadqiq accounts demo``)."""
    from tadqiq.access import Role
    from tadqiq.access import accounts as local

    action = getattr(args, "action", None) or "list"
    try:
        if action == "demo":
            return _demo_accounts(reset=args.reset)
        if action == "add":
            account, password = local.add_account(args.user, Role(args.role), args.area)
            _say(f"account {account.user} ({account.role}, {account.area or '-'}) added to "
                 f"{local.accounts_path()}; its password, shown only now:")  # fmt: skip
            _say(f"  {password}")
        elif action in ("disable", "enable"):
            account = local.set_disabled(args.user, action == "disable")
            _say(f"account {account.user} {action}d")
        elif action == "reset":
            account, password = local.reset_password(args.user)
            _say(f"new password for {account.user}, shown only now:")
            _say(f"  {password}")
    except local.AccountError as error:
        _say(f"refused: {error}")
        return 2
    return _list_accounts()


def _list_accounts() -> int:
    from tadqiq.access import accounts as local

    found = local.load_accounts()
    if not found:
        _say(f"no accounts in {local.accounts_path()}: `tadqiq accounts add USER --role ROLE`")
        return 0
    _say(f"accounts in {local.accounts_path()}:")
    for account in found.values():
        state = "disabled" if account.disabled else ("demo" if account.demo else "")
        _say(f"  {account.user:<30} {account.role:<13} {account.area or '-':<13} {state}".rstrip())
    return 0


def _demo_accounts(reset: bool = False) -> int:
    """The demo accounts with random passwords, if missing (or ``reset``): demo mode only."""
    from tadqiq.access.accounts import ensure_demo_accounts

    demo = ensure_demo_accounts(reset=reset)
    if demo.passwords:
        _say(f"demo accounts written to {demo.path} (mode 0600); passwords shown only now:")
    else:
        _say(f"accounts in {demo.path}; `tadqiq accounts demo --reset` for new passwords:")
    for account in demo.accounts:
        password = demo.passwords.get(account.user, "")
        line = f"  {account.user:<30} {account.role:<13} {account.area or '-':<13} {password}"
        _say(line.rstrip())
    return 0


def cmd_desk(args: argparse.Namespace) -> int:
    """The audit desk's store: migrate it, say where it is, export it into the inbox."""
    from tadqiq.desk import db, export, queries

    url = db.desk_url()
    shown = url.split("@")[-1] if "@" in url else url  # no credentials on the screen
    if args.action == "upgrade":
        engine = db.make_engine(url)
        before = db.current_revision(engine)
        after = db.upgrade(engine)
        engine.dispose()
        _say(f"desk store {shown}: revision {before or 'none'} -> {after}")
        return 0
    store = db.open_store(url)
    if args.action == "status":
        _say(f"desk store {shown}: revision {db.current_revision(store.engine)}, "
             f"{queries.last_event_id(store)} events")  # fmt: skip
        return 0
    written = export.write_inbox(store, inbox_dir())
    _say("exported to the inbox: " + ", ".join(f"{n} {e}" for e, n in written.items()))
    return 0


def cmd_export(args: argparse.Namespace) -> None:
    """Write a risk map (or the national ranking) to data/exports/ and print its path."""
    from tadqiq import warehouse
    from tadqiq.reports import export

    try:
        db = warehouse.require_warehouse()
    except warehouse.WarehouseNotFoundError as missing:
        raise SystemExit(
            f"[tadqiq] no published warehouse at {missing}: run `tadqiq build`"
        ) from None
    scope = export.cli_scope()
    year = args.year or export.latest_year(db, scope)
    started = time.perf_counter()
    out_dir = args.out_dir
    langs = ("fr", "ar") if args.lang == "all" else (args.lang,)
    formats = ("pdf", "xlsx") if args.format == "all" else (args.format,)
    for lang in langs:
        for fmt in formats:
            if args.national:
                path = export.export_national(db, scope, year, args.level, lang, fmt, out_dir)
            else:
                path = export.export_collectivity(db, scope, args.code, year, lang, fmt, out_dir)
            print(path, flush=True)
    _say(f"exported in {time.perf_counter() - started:.2f} s")


def cmd_status(_: argparse.Namespace) -> None:
    """Last runs, freshness per source, rejected files, the current snapshot, the inbox."""
    import dagster as dg
    from rich.console import Console
    from rich.table import Table

    from orchestration.lib import status

    console = Console(highlight=False)
    snapshot = status.current_snapshot()
    if snapshot is None:
        console.print("[bold]snapshot[/]: none published yet (`tadqiq build`)")
    else:
        console.print(
            f"[bold]snapshot[/]: {snapshot.path.name}, published "
            f"{snapshot.published_at:%Y-%m-%d %H:%M} UTC, {snapshot.size_bytes / 2**20:.1f} MiB"
        )
    runs = Table(title="last runs", title_justify="left")
    for column in ("run", "job", "year", "status", "started (UTC)", "took"):
        runs.add_column(column)
    with dg.DagsterInstance.get() as instance:
        for run in status.last_runs(instance):
            colour = {"SUCCESS": "green", "FAILURE": "red"}.get(run["status"], "yellow")
            runs.add_row(
                run["run_id"], run["job"], run["partition"], f"[{colour}]{run['status']}[/]",
                f"{run['started']:%d/%m %H:%M}" if run["started"] else "",
                f"{run['seconds']:.0f} s" if run["seconds"] is not None else "",
            )  # fmt: skip
    console.print(runs)
    sources = Table(title="sources", title_justify="left")
    for column in ("source", "loaded", "rejected", "replaced", "rows in force",
                   "last (UTC)", "inbox"):  # fmt: skip
        sources.add_column(column, justify="left" if column == "source" else "right")
    for row in status.freshness().iter_rows(named=True):
        last = row["last_ingested"]
        sources.add_row(
            row["source"], str(row["loaded"]), str(row["rejected"]), str(row["superseded"]),
            f"{row['rows_in_force']:,}", f"{last:%d/%m %H:%M}" if last else "never",
            str(row["pending"]),
        )  # fmt: skip
    console.print(sources)
    rejected = status.rejected_files()
    if rejected.height:
        table = Table(title=f"rejected files ({rejected.height})", title_justify="left")
        for column in ("source", "file", "why"):
            table.add_column(column)
        for row in rejected.head(20).iter_rows(named=True):
            table.add_row(row["entity"], row["source_file"], row["message"])
        console.print(table)


def cmd_postgres(args: argparse.Namespace) -> int:
    """The same dbt project on the PostgreSQL server of TADQIQ_POSTGRES_* (docs/operations.md):
    the landed parquet into its schema raw, `dbt build --target postgres`, and with --compare
    the marts set against the published DuckDB snapshot's, row by row."""
    from orchestration.lib import status
    from orchestration.lib.dbt_build import dbt_build
    from orchestration.lib.postgres_compare import compare_marts
    from orchestration.lib.postgres_raw import conninfo_from_env, load_raw

    conninfo = conninfo_from_env()
    if not args.no_load:
        started = time.perf_counter()
        loaded = load_raw(conninfo)
        _say(f"raw: {len(loaded)} tables, {sum(loaded.values()):,} rows loaded "
             f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    build = dbt_build("postgres", data_dir() / "dbt_postgres")
    if not build.success:
        print(build.tail(), file=sys.stderr)
        _say(f"dbt build --target postgres failed after {build.seconds:.1f} s")
        return 1
    _say(f"dbt build --target postgres: {build.seconds:.1f} s")
    if not args.compare:
        return 0
    snapshot = status.current_snapshot()
    if snapshot is None:
        _say("no published snapshot to compare with (`tadqiq build`)")
        return 1
    comparisons = compare_marts(snapshot.path, conninfo)
    for comparison in comparisons:
        _say(comparison.summary())
        for difference in comparison.differences[:20]:
            print(f"    {difference}")
    return 0 if all(c.agree for c in comparisons) else 1


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Recall and precision of what an auditor is shown, against the generator's truth."""
    from orchestration.lib import evaluate, status

    snapshot = status.current_snapshot()
    truth = args.ground_truth or data_dir() / "ground_truth" / "anomalies.csv"
    if snapshot is None or not truth.is_file():
        _say("nothing to evaluate: run `tadqiq generate` and `tadqiq build` first")
        return 1
    scores = evaluate.measure(*evaluate.load(snapshot.path, truth))
    _say(f"snapshot {snapshot.path.name}, ground truth {truth}")
    print(evaluate.table(scores), flush=True)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Copy files into the inbox, each under its source, and print its contract check now."""
    import shutil

    from rich.console import Console

    from ingestion.contracts import CONTRACTS
    from ingestion.readers import FileRejected, guess_contract, read_export
    from ingestion.reference import load_collectivities

    console = Console(highlight=False)
    by_name = {c.entity: c for c in CONTRACTS}
    known = set(load_collectivities()["collectivity_code"])
    worst = 0
    for path in args.paths:
        if not path.is_file():
            console.print(f"[red]✗[/] {path}: not a regular file")
            worst = 2
            continue
        contract = by_name[args.source] if args.source else guess_contract(path, CONTRACTS)
        if contract is None:
            console.print(
                f"[red]✗[/] {path.name}: its header fits no source (or several); "
                f"name one with --source ({', '.join(sorted(by_name))})"
            )
            worst = 2
            continue
        try:
            result = read_export(path, contract, known)
        except FileRejected as rejected:
            console.print(
                f"[red]✗[/] {path.name} ({contract.entity}): rejected: {rejected.problem}"
            )
            worst = max(worst, 1)
            if not args.copy_rejected:
                continue
        else:
            mark = "[green]✓[/]" if result.rows_quarantined == 0 else "[yellow]![/]"
            console.print(
                f"{mark} {path.name} ({contract.entity}): {result.rows_read} rows read, "
                f"{result.landed.height} will land, {result.rows_quarantined} quarantined"
            )
            for row in result.quarantined.head(args.show).iter_rows(named=True):
                console.print(
                    f"    row {row['source_row']}, column {row['column_name']} "
                    f"({row['raw_value']!r}): {row['reason']}"
                )
            if result.quarantined.height > args.show:
                console.print(f"    … and {result.quarantined.height - args.show} more")
        target = inbox_dir() / Path(contract.file_glob).parent / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        console.print(f"    copied to {target}")
    _say("the inbox sensor (or `tadqiq build`) ingests them")
    return worst


def cmd_demo(args: argparse.Namespace) -> None:
    cmd_generate(args)
    cmd_build(args)
    _demo_accounts()
    if not args.no_serve:
        cmd_serve(args)


def main(argv: list[str] | None = None) -> None:
    set_env_defaults()
    parser = argparse.ArgumentParser(prog="tadqiq", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def scope_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--scope", choices=("pilot", "rollout", "national"), default="rollout")
        p.add_argument("--years", type=_years, default=_years("2022-2024"), help="e.g. 2022-2024")
        p.add_argument("--seed", type=int, default=2026)
        p.add_argument(
            "--broken",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="also write the set of broken files (quarantine and rejection demo)",
        )

    p = sub.add_parser("generate", help="write synthetic treasury exports into data/inbox")
    scope_args(p)
    p.set_defaults(func=cmd_generate)
    p = sub.add_parser("build", help="materialize every asset and publish the warehouse")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("serve", help="start the Streamlit dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--production", action="store_true",
                   help="no error details, XSRF on, no file watcher")  # fmt: skip
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("ui", help="start the Dagster UI")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_ui)
    p = sub.add_parser("accounts", help="the local dashboard accounts: named users, demo users")
    p.set_defaults(func=cmd_accounts)
    accounts_sub = p.add_subparsers(dest="action")
    accounts_sub.add_parser("list", help="every account, its role, area and state")
    q = accounts_sub.add_parser("add", help="a named user; prints its password once")
    q.add_argument("user", help="e.g. s.amrani (lower case, digits, . _ @ -)")
    q.add_argument("--role", required=True,
                   choices=("ministry", "region", "collectivity", "focal_point", "inspector",
                            "data_team"))  # fmt: skip
    q.add_argument("--area", default=None,
                   help="region code (06), collectivity code (06.181.05.01), or for an "
                        "inspector 'national' or regions (01,06)")  # fmt: skip
    for name, what in (("disable", "cannot sign in any more"), ("enable", "can sign in again"),
                       ("reset", "a new password, printed once")):  # fmt: skip
        accounts_sub.add_parser(name, help=f"an account {what}").add_argument("user")
    q = accounts_sub.add_parser("demo", help="the demo accounts (demo mode only)")
    q.add_argument("--reset", action="store_true", help="new demo passwords")
    p = sub.add_parser("desk", help="the audit desk's store (docs/audit_desk.md)")
    p.add_argument("action", choices=("upgrade", "status", "export"),
                   help="upgrade: run the migrations; export: its rows into the inbox")  # fmt: skip
    p.set_defaults(func=cmd_desk)
    p = sub.add_parser("export", help="write a risk map (PDF/XLSX, FR/AR) to data/exports/")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--code", help="collectivity code, e.g. 06.181.05.01")
    target.add_argument("--national", action="store_true", help="the national ranking")
    p.add_argument("--year", type=int, default=None, help="fiscal year (default: the latest)")
    p.add_argument("--lang", choices=("fr", "ar", "all"), default="fr")
    p.add_argument("--format", choices=("pdf", "xlsx", "all"), default="pdf")
    p.add_argument("--level", choices=("commune", "province", "region"), default="commune")
    p.add_argument("--out-dir", type=Path, default=None, help="default: data/exports/")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("status", help="last runs, freshness per source, rejected files, snapshot")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("ingest", help="copy files into the inbox and check them at once")
    p.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    p.add_argument(
        "--source",
        choices=sorted(c.entity for c in _contracts()),
        default=None,
        help="the source of every file (default: guessed from each header)",
    )
    p.add_argument("--show", type=int, default=10, help="quarantined values shown per file")
    p.add_argument("--copy-rejected", action="store_true",
                   help="copy a rejected file too (its rejection is then recorded)")  # fmt: skip
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("postgres", help="load the raw parquet into PostgreSQL, dbt build there")
    p.add_argument("--no-load", action="store_true", help="build on the raw tables as they are")
    p.add_argument("--compare", action="store_true",
                   help="compare the marts with the published snapshot's, row by row")  # fmt: skip
    p.set_defaults(func=cmd_postgres)
    p = sub.add_parser("evaluate", help="recall and precision of the flags against the truth")
    p.add_argument("--ground-truth", type=Path, default=None,
                   help="default: data/ground_truth/anomalies.csv")  # fmt: skip
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("demo", help="generate, build, publish and serve, end to end")
    scope_args(p)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--no-serve", action="store_true", help="stop after publishing")
    p.set_defaults(func=cmd_demo)

    args = parser.parse_args(argv)
    _say(f"data directory: {data_dir()}")
    os.chdir(REPO_ROOT)
    code = args.func(args)
    if code:
        raise SystemExit(code)


if __name__ == "__main__":
    main()
