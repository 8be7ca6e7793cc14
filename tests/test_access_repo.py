"""Access, outside the app: no secret in the repository, no file served, the demo accounts."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from dashboard_fixtures import build_warehouse
from streamlit.testing.v1 import AppTest
from test_quality_page import add_ingest_schema

from dashboards import auth
from tadqiq import warehouse as queries
from tadqiq.access import ROLE_PAGES, Role, Scope, accounts, pages_for
from tadqiq.access import log as access_log

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "app.py"

ARGON2_HASH = re.compile(r"\$argon2(?:id|i|d)\$v=\d+\$")
AUTH_SECRET = re.compile(r"^\s*(client_secret|cookie_secret)\s*=\s*\"([^\"]*)\"", re.MULTILINE)
PLACEHOLDER = re.compile(r"^<[^<>]+>$")


def tracked_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout
    return [REPO / name for name in listing.decode().split("\0") if name]


def test_no_secret_in_the_repository() -> None:
    files = tracked_files()
    assert files
    names = {path.relative_to(REPO).as_posix() for path in files}
    assert not {name for name in names if name.endswith(("secrets.toml", "accounts.json"))}
    assert not {name for name in names if name.startswith("data/")} - {"data/README.md"}
    for path in files:
        if not path.is_file():
            continue  # deleted in the working tree
        text = path.read_bytes().decode("utf-8", errors="ignore")
        assert not ARGON2_HASH.search(text), f"password hash in {path}"
        for key, value in AUTH_SECRET.findall(text):
            assert PLACEHOLDER.match(value), f"{key} with a real value in {path}"


def test_streamlit_static_serving_stays_off() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config.get("server", {}).get("enableStaticServing", False) is False
    assert not (REPO / "dashboards" / "static").exists()


def test_only_the_scoped_wrapper_offers_downloads() -> None:
    sources = {path: path.read_text(encoding="utf-8") for path in REPO.glob("dashboards/**/*.py")}
    offering = {path.name for path, text in sources.items() if "st.download_button" in text}
    assert offering == {"downloads.py"}
    assert not any(".duckdb" in text for path, text in sources.items() if "app_pages" in str(path))


@pytest.mark.parametrize("role", list(Role))
def test_no_page_offers_the_warehouse(
    role: Role, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(tmp_path / "data"))
    db = build_warehouse(tmp_path / "tadqiq_test.duckdb")
    add_ingest_schema(db)  # the quality page reads the ingest manifest
    monkeypatch.setenv(queries.DB_ENV, str(db))
    queries.clear_cache()
    area = {
        Role.REGION: "06",
        Role.COLLECTIVITY: "06.141.01.0",
        Role.FOCAL_POINT: "06.181.05.01",
        Role.INSPECTOR: "national",
    }.get(role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = Scope(role, "t.user", area)
    at.run()
    for spec in pages_for(role):
        at.switch_page(spec.path).run()
        assert not at.exception
        for button in at.get("download_button"):  # the report downloads, never the warehouse
            assert ".duckdb" not in str(button.proto)
        rendered = " ".join(str(element.proto) for element in at.main) + " ".join(
            str(element.proto) for element in at.sidebar
        )
        assert str(db) not in rendered


def test_every_role_lands_on_its_first_page() -> None:
    # an auditor lands on its collectivity; the national, quality and log pages are not offered
    assert ROLE_PAGES[Role.COLLECTIVITY][0] == "collectivity"
    assert not {"national", "quality", "access_log", "rollout"} & set(ROLE_PAGES[Role.COLLECTIVITY])
    assert ROLE_PAGES[Role.DATA_TEAM] == ("quality",)
    assert "access_log" not in ROLE_PAGES[Role.REGION]
    assert all(
        "access_log" not in pages for role, pages in ROLE_PAGES.items() if role != "ministry"
    )


def test_accounts_command_prints_passwords_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from orchestration import cli

    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path))
    cli.main(["accounts", "demo"])
    first = capsys.readouterr().out
    path = tmp_path / "auth" / "accounts.json"
    assert path.stat().st_mode & 0o777 == 0o600
    rows = {
        line.split()[1]: line.split()[2:]
        for line in first.splitlines()
        if line.startswith("[tadqiq]   ")
    }
    assert rows == {
        "ministere": ["ministry", "-", rows["ministere"][-1]],
        "equipe.donnees": ["data_team", "-", rows["equipe.donnees"][-1]],
        "region.casablanca-settat": ["region", "06", rows["region.casablanca-settat"][-1]],
        "region.beni-mellal-khenifra": ["region", "05", rows["region.beni-mellal-khenifra"][-1]],
        "auditeur.casablanca": ["collectivity", "06.141.01.0", rows["auditeur.casablanca"][-1]],
        "auditeur.moulay-abdallah": [
            "collectivity",
            "06.181.05.01",
            rows["auditeur.moulay-abdallah"][-1],
        ],
        "point-focal.moulay-abdallah": [
            "focal_point",
            "06.181.05.01",
            rows["point-focal.moulay-abdallah"][-1],
        ],
        "inspecteur.igat": ["inspector", "national", rows["inspecteur.igat"][-1]],
    }
    password = rows["auditeur.casablanca"][-1]
    assert len(password) >= 20
    text = path.read_text(encoding="utf-8")
    assert password not in text and "$argon2id$" in text

    result = accounts.login("auditeur.casablanca", password, path)
    assert result.scope == Scope(Role.COLLECTIVITY, "auditeur.casablanca", "06.141.01.0")
    assert access_log.verify_chain().records == 2  # log_opened, then the login

    cli.main(["accounts", "demo"])
    second = capsys.readouterr().out
    assert password not in second and "--reset" in second
    assert path.read_text(encoding="utf-8") == text

    cli.main(["accounts", "demo", "--reset"])
    third = capsys.readouterr().out
    assert "passwords shown only now" in third
    assert accounts.login("auditeur.casablanca", password, path).scope is None
    assert path.stat().st_mode & 0o777 == 0o600
