"""What a browser may ask the Streamlit server for, besides running the app.

Streamlit's websocket accepts a few developer requests from any connection, signed in or not,
before any line of the app has run for it:

* ``clear_cache`` empties ``st.cache_data`` and ``st.cache_resource`` for every session of the
  process (the report files being built for other users included);
* ``load_git_info`` answers with the checkout's repository, branch, module and the lists of
  its untracked and uncommitted files;
* ``set_run_on_save`` turns rerun-on-save on for the session.

None of them is a Tadqiq user's job (caches are per published snapshot and expire by
themselves; a deployment's files are nobody's business), so ``install()`` wraps Streamlit's
``AppSession.handle_backmsg``: these requests are dropped and written to the access log as
``browser_request`` / ``denied`` (under the signed-in user, or none), once per session and
kind, so a flood of them writes one line; every other message goes to Streamlit unchanged.

``app.py`` installs the wrap on its first run in the process, before the sign-in; a request
sent by the very first connection before the app's first line runs reaches Streamlit's
handler, with nothing yet in any cache. It wraps a Streamlit internal:
``tests/test_browser_requests.py`` sends the requests over a real websocket and fails if a
Streamlit release moves it.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from dashboards.auth import SESSION_KEY
from tadqiq.access import Scope
from tadqiq.access import log as access_log

ACTION = "browser_request"
REFUSED = frozenset({"clear_cache", "load_git_info", "set_run_on_save"})

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()
_logged: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _signed_in(session: Any) -> Scope | None:
    try:  # Streamlit's SessionState has no get()
        scope = session.session_state[SESSION_KEY]
    except Exception:  # not signed in (or another Streamlit layout): logged without a user
        return None
    return scope if isinstance(scope, Scope) else None


def _log_once(session: Any, kind: str) -> None:
    with _LOCK:
        seen = _logged.setdefault(session, set())
        if kind in seen:
            return
        seen.add(kind)
    scope = _signed_in(session)
    detail = f"{kind} refused"
    if scope is None:
        access_log.append(
            user=None, role=None, action=ACTION, outcome=access_log.DENIED, detail=detail
        )
    else:
        access_log.log_event(scope, ACTION, access_log.DENIED, detail=detail)


def install() -> None:
    """Wrap ``AppSession.handle_backmsg`` once per process (see above)."""
    from streamlit.runtime.app_session import AppSession

    original = AppSession.handle_backmsg
    if getattr(original, "tadqiq_guard", False):
        return

    def handle_backmsg(self: AppSession, msg: Any) -> None:
        kind = msg.WhichOneof("type")
        if kind not in REFUSED:
            return original(self, msg)
        try:
            _log_once(self, kind)
        except Exception:  # the log failing must not let the request through
            _LOGGER.exception("could not log a refused browser request")
        return None

    handle_backmsg.tadqiq_guard = True  # type: ignore[attr-defined]
    AppSession.handle_backmsg = handle_backmsg  # type: ignore[method-assign]
