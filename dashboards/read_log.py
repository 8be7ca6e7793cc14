"""Every read written to the access log, once per distinct (page, filters) in a session.

* ``app.py`` runs each page inside ``page_read(scope, name)`` and calls
  ``refuse_outside_navigation`` before ``st.navigation``, so every page — those added later
  included — is logged without any code of its own, and a request for a page the role does not
  have (its URL, or its page hash forced into the session) is written as ``denied``.
* A page calls ``record(scope, region=…, year=…)`` once its filters are resolved, before it
  shows data. A page that never calls it is written with no filters when its run ends.

Each record (``access_log.log_read``) carries the user, role and area, the page, the filters,
an id of the session (random, kept in the session state) and the client address: Streamlit's
``st.context.ip_address`` (null for a loopback connection, e.g. a reverse proxy on the same
host) and the proxy's ``X-Forwarded-For`` header when there is one. A rerun with the same page
and filters writes nothing; the set of what was written lives in the session state, so a new
sign-in (which clears it) writes again.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import RerunException, get_script_run_ctx

from tadqiq.access import AccessDenied, Scope
from tadqiq.access import log as access_log
from tadqiq.access.rules import PAGES

STATE_KEY = "tadqiq_read_log"
NOT_IN_NAVIGATION = "not_in_navigation"
UNKNOWN_PAGE = "?"


def _state() -> dict[str, Any]:
    state = st.session_state.get(STATE_KEY)
    if not isinstance(state, dict):
        state = {"session": secrets.token_hex(8), "seen": set(), "page": None, "recorded": False}
        st.session_state[STATE_KEY] = state
    return state


def session_id() -> str:
    """This session's id in the access log (random; a new one after a sign-out)."""
    return str(_state()["session"])


def client() -> tuple[str | None, str | None]:
    """(the connection's address, the ``X-Forwarded-For`` header) of this session."""
    try:
        address = st.context.ip_address
        headers = st.context.headers
        forwarded = headers.get("X-Forwarded-For") or headers.get("X-Real-Ip")
    except Exception:  # no client (a test harness hands out mocks)
        return None, None
    return (
        address if isinstance(address, str) else None,
        forwarded if isinstance(forwarded, str) else None,
    )


def _write(
    scope: Scope,
    page: str,
    filters: Mapping[str, Any],
    fingerprint: str,
    **fields: Any,
) -> bool:
    state = _state()
    if fingerprint in state["seen"]:
        return False
    address, forwarded = client()
    access_log.log_read(
        scope,
        page,
        filters,
        session=session_id(),
        client=address,
        forwarded_for=forwarded,
        **fields,
    )
    state["seen"].add(fingerprint)
    return True


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def record(
    scope: Scope,
    *,
    action: str = access_log.VIEW_PAGE,
    collectivity_code: str | None = None,
    **filters: object,
) -> bool:
    """Write the current page read with ``filters`` (None: no filter, i.e. all), unless this
    session already wrote the same page, action and filters; ``collectivity_code`` is the
    collectivity shown, if one. Returns whether a record was written."""
    state = _state()
    state["recorded"] = True
    page = state["page"] or UNKNOWN_PAGE
    shown = {name: _text(value) for name, value in filters.items()}
    fingerprint = json.dumps(
        ["read", scope.user_id, page, action, collectivity_code, shown], sort_keys=True
    )
    return _write(
        scope, page, shown, fingerprint, action=action, collectivity_code=collectivity_code
    )


@contextmanager
def page_read(scope: Scope, page: str) -> Iterator[None]:
    """Run the page ``page``; if it called no ``record``, write it with no filters at the end
    (also after ``st.stop``; not after a rerun, whose next run writes, nor after a refusal,
    which the data layer wrote)."""
    state = _state()
    state["page"], state["recorded"] = page, False
    try:
        yield
    except (RerunException, AccessDenied):
        raise
    except BaseException:  # st.stop() among them: what was shown until then was read
        if not state["recorded"]:
            record(scope)
        raise
    if not state["recorded"]:
        record(scope)


def _hashes() -> dict[str, str]:
    """Every page of the app (``access.PAGES``) by the hash Streamlit gives its script."""
    return {st.Page(spec.path)._script_hash: name for name, spec in PAGES.items()}


def outside_navigation(
    requested_hash: str | None,
    requested_path: str | None,
    navigation: Mapping[str, StreamlitPage],
    main_script_hash: str = "",
) -> str | None:
    """The page asked for, when it is not in ``navigation`` (name → page): by its script hash
    (a page switch, a forged request) or by its URL path; None when the request is in the
    navigation or names no page (the landing page)."""
    allowed_hashes = {page._script_hash for page in navigation.values()}
    if requested_hash and requested_hash != main_script_hash:
        if requested_hash in allowed_hashes:
            return None
        return _hashes().get(requested_hash, f"{UNKNOWN_PAGE}{requested_hash[:16]}")
    if requested_path:
        path = requested_path.strip("/")
        # a page's URL path is its file name ("" for the landing page, also reachable by name)
        known = set(navigation) | {page.url_path for page in navigation.values()}
        if path and path not in known:
            return path
    return None


def refuse_outside_navigation(scope: Scope, navigation: Mapping[str, StreamlitPage]) -> None:
    """Log (once per session and page) a request for a page outside the user's navigation;
    Streamlit then runs the landing page instead."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    manager = ctx.pages_manager
    page = outside_navigation(
        manager.intended_page_script_hash,
        manager.intended_page_name,
        navigation,
        manager.main_script_hash,
    )
    if page is None:
        return
    _write(
        scope,
        page,
        {},
        json.dumps(["denied", scope.user_id, page]),
        outcome=access_log.DENIED,
        detail=NOT_IN_NAVIGATION,
    )
