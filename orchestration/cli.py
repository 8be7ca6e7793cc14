"""`tadqiq`: the common jobs, each a thin call into the generator, Dagster, dbt or Streamlit."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from orchestration.lib.settings import (
    DBT_PROJECT_DIR,
    REPO_ROOT,
    data_dir,
    inbox_dir,
    published_dir,
    set_env_defaults,
)


def _years(text: str) -> list[int]:
    start, _, end = text.partition("-")
    return list(range(int(start), int(end or start) + 1))


def _say(message: str) -> None:
    print(f"[tadqiq] {message}", flush=True)


def cmd_generate(args: argparse.Namespace) -> None:
    from ingestion.synthetic import generate

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


def cmd_build(_: argparse.Namespace) -> None:
    import dagster as dg

    from orchestration.lib.runner import run_pipeline

    started = time.perf_counter()
    _say("parsing the dbt project")
    dbt_parse()
    with dg.DagsterInstance.get() as instance:
        results = run_pipeline(instance, say=_say)
    failed_checks = [
        check for result in results for check in result.get_asset_check_evaluations()
        if not check.passed
    ]  # fmt: skip
    for check in failed_checks:
        _say(f"check failed: {check.asset_key.to_user_string()} {check.check_name}")
    if not all(result.success for result in results) or failed_checks:
        raise SystemExit("[tadqiq] build failed; see the run in the Dagster UI (tadqiq ui)")
    _say(f"build succeeded in {time.perf_counter() - started:.1f} s ({len(results)} runs)")
    _print_summary()


def _print_summary() -> None:
    import duckdb

    current = (published_dir() / "CURRENT").read_text(encoding="utf-8").strip()
    with duckdb.connect(str(published_dir() / current), read_only=True) as con:
        for table in ("dim_collectivities", "fct_indicators", "fct_risk_scores"):
            (count,) = con.execute(f"select count(*) from marts.{table}").fetchone()
            _say(f"  marts.{table}: {count} rows")
    _say(f"published snapshot: {published_dir() / current}")


def cmd_serve(args: argparse.Namespace) -> None:
    app = REPO_ROOT / "dashboards" / "app.py"
    _say(f"dashboard at http://localhost:{args.port}  (Ctrl+C to stop)")
    subprocess.run(
        [
            sys.executable, "-m", "streamlit", "run", str(app),
            "--server.headless", "true",
            "--server.port", str(args.port),
            "--browser.gatherUsageStats", "false",
        ],
        check=False,
        cwd=REPO_ROOT,
    )  # fmt: skip


def cmd_ui(args: argparse.Namespace) -> None:
    dbt_parse()
    _say(f"Dagster UI at http://localhost:{args.port}  (Ctrl+C to stop)")
    subprocess.run(
        [sys.executable, "-m", "dagster", "dev", "-m", "orchestration.definitions",
         "-p", str(args.port)],
        check=False,
        cwd=REPO_ROOT,
    )  # fmt: skip


def cmd_accounts(args: argparse.Namespace) -> None:
    """Create the local accounts file with the demo accounts, if missing (or ``--reset``)."""
    from dashboards.accounts import ensure_demo_accounts

    demo = ensure_demo_accounts(reset=getattr(args, "reset", False))
    if demo.passwords:
        _say(f"demo accounts written to {demo.path} (mode 0600); passwords shown only now:")
    else:
        _say(f"accounts in {demo.path}; `tadqiq accounts --reset` for new passwords:")
    for account in demo.accounts:
        password = demo.passwords.get(account.user, "")
        line = f"  {account.user:<30} {account.role:<13} {account.area or '-':<13} {password}"
        _say(line.rstrip())


def cmd_export(args: argparse.Namespace) -> None:
    """Write a risk map (or the national ranking) to data/exports/ and print its path."""
    from streamlit import logger as streamlit_logger

    streamlit_logger.set_log_level("ERROR")  # no server: the data layer's caches would warn
    from dashboards import queries
    from dashboards.reports import export

    try:
        db = queries.require_warehouse()
    except queries.WarehouseNotFoundError as missing:
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


def cmd_demo(args: argparse.Namespace) -> None:
    cmd_generate(args)
    cmd_build(args)
    cmd_accounts(argparse.Namespace(reset=False))
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
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("ui", help="start the Dagster UI")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_ui)
    p = sub.add_parser("accounts", help="create the local dashboard accounts (demo users)")
    p.add_argument("--reset", action="store_true", help="regenerate every password")
    p.set_defaults(func=cmd_accounts)
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
    p = sub.add_parser("demo", help="generate, build, publish and serve, end to end")
    scope_args(p)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--no-serve", action="store_true", help="stop after publishing")
    p.set_defaults(func=cmd_demo)

    args = parser.parse_args(argv)
    _say(f"data directory: {data_dir()}")
    os.chdir(REPO_ROOT)
    args.func(args)


if __name__ == "__main__":
    main()
