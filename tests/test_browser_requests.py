"""A connection that never signed in cannot clear every user's cache or read the checkout's git
details: the developer requests of Streamlit's websocket are dropped and logged
(dashboards/browser_requests.py).

The server test speaks the websocket protocol itself, as a forged client would: it opens
``/_stcore/stream``, asks for a run (the login page), then sends ``clear_cache``,
``load_git_info`` and ``set_run_on_save`` twice each. Each is written once to the access log as
refused (an unguarded server writes nothing), and no ``git_info_changed`` answer comes back
(Streamlit sends one for a checkout whose remote it recognises, e.g. on GitHub).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from dashboard_fixtures import build_warehouse
from dashboard_server import running_dashboard
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import AppSession
from websockets.sync.client import connect

from dashboards import auth, browser_requests
from tadqiq.access import Role, Scope
from tadqiq.access import log as access_log

REFUSED = ("clear_cache", "load_git_info", "set_run_on_save")


class FakeSession:
    """What the wrap reads of an AppSession: its session state."""

    def __init__(self, state: dict) -> None:
        self.session_state = state


def backmsg(kind: str) -> bytes:
    msg = BackMsg()
    if kind == "rerun_script":
        msg.rerun_script.query_string = ""
    elif kind == "set_run_on_save":
        msg.set_run_on_save = True
    else:
        setattr(msg, kind, True)
    return msg.SerializeToString()


def receive_until_finished(ws, timeout_s: float = 60) -> list[str]:
    """The kinds of the server's messages up to the end of a script run."""
    kinds: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        msg = ForwardMsg()
        msg.ParseFromString(ws.recv(timeout=deadline - time.monotonic()))
        kinds.append(msg.WhichOneof("type") or "")
        if kinds[-1] == "script_finished":
            return kinds
    pytest.fail(f"no script_finished within {timeout_s} s: {kinds}")


def records() -> list[dict]:
    """The access log of $TADQIQ_DATA_DIR."""
    path = access_log.log_path()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_an_anonymous_connection_cannot_clear_caches_or_read_git_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(data))
    db = build_warehouse(tmp_path / "tadqiq.duckdb")
    env = {**os.environ, "TADQIQ_DATA_DIR": str(data), "TADQIQ_DASHBOARD_DB": str(db)}
    with running_dashboard(env, tmp_path / "streamlit.log") as url:
        host = url.removeprefix("http://")
        with connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=url,
            open_timeout=30,
        ) as ws:
            ws.send(backmsg("rerun_script"))
            first = receive_until_finished(ws)
            assert "new_session" in first
            for _ in range(2):
                for kind in REFUSED:
                    ws.send(backmsg(kind))
            # messages are handled in order: a run asked for afterwards ends after them
            ws.send(backmsg("rerun_script"))
            after = receive_until_finished(ws)
    assert "git_info_changed" not in after
    refused = [r for r in records() if r["action"] == browser_requests.ACTION]
    assert sorted(r["detail"] for r in refused) == sorted(f"{k} refused" for k in REFUSED)
    assert {(r["user"], r["outcome"]) for r in refused} == {(None, "denied")}


def test_a_signed_in_session_is_refused_too_under_its_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path))
    passed: list[str] = []
    monkeypatch.setattr(  # Streamlit's own handler, restored after the test
        AppSession, "handle_backmsg", lambda self, msg: passed.append(msg.WhichOneof("type"))
    )
    original = AppSession.handle_backmsg
    browser_requests.install()
    assert AppSession.handle_backmsg is not original
    browser_requests.install()  # a second run of app.py wraps nothing twice
    wrapped = AppSession.handle_backmsg
    scope = Scope(role=Role.REGION, user_id="region.bmk", area="05")
    session = FakeSession({auth.SESSION_KEY: scope})
    for kind in ("clear_cache", "rerun_script", "clear_cache", "app_heartbeat"):
        msg = BackMsg()
        msg.ParseFromString(backmsg(kind))
        wrapped(session, msg)
    assert passed == ["rerun_script", "app_heartbeat"]  # the others reach Streamlit as they are
    logged = [r for r in records() if r["action"] == browser_requests.ACTION]
    assert [(r["user"], r["role"], r["detail"]) for r in logged] == [
        ("region.bmk", str(Role.REGION), "clear_cache refused")
    ]
