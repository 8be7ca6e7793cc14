"""The one way to offer a download: scope checked before any data is built, every file logged.

Reports and exports call ``scoped_download_button`` instead of ``st.download_button``:

* the collectivity is authorized against the user's scope first (``warehouse.authorize``): a
  foreign code raises ``AccessDenied``, logged, and nothing is built;
* the data is built lazily, only when the user clicks, on Streamlit's download thread; the
  build re-checks the scope and each download is written to the access log.

A builder returns the file's bytes (or text), anything else (a path, an open file) is refused,
so no page can hand out a file from disk such as the warehouse.

A file about the user's whole scope rather than one collectivity (the national or regional
ranking, a batch of risk maps) passes ``code=None``: the user must see risk data, and the
builder reads through the scoped data layer, so it holds only the scope's collectivities.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from tadqiq import warehouse
from tadqiq.access import Scope
from tadqiq.access import log as access_log

Builder = Callable[[], bytes | str]


def _authorize(db: str, scope: Scope, code: str | None) -> None:
    if code is None:
        warehouse.authorize_scope(scope, access_log.DOWNLOAD)
    else:
        warehouse.authorize(db, scope, code, access_log.DOWNLOAD)


def deferred_build(
    db: str, scope: Scope, code: str | None, file_name: str, build: Builder
) -> Callable[[], bytes | str]:
    """The callable handed to ``st.download_button``: check, build, log."""

    def run() -> bytes | str:
        _authorize(db, scope, code)
        data = build()
        if not isinstance(data, bytes | str):
            raise TypeError("a download builder returns bytes or text, never a path")
        access_log.log_download(scope, code, file_name)
        return data

    return run


def scoped_download_button(
    label: str,
    *,
    db: str,
    scope: Scope,
    code: str | None,
    file_name: str,
    build: Builder,
    mime: str | None = None,
    key: str | None = None,
) -> bool:
    """``st.download_button`` for a file about collectivity ``code``, within ``scope``.

    Raises ``AccessDenied`` (logged as a denied download) when ``code`` is outside the scope,
    before ``build`` is ever called. ``code=None``: a file about the whole scope.
    """
    _authorize(db, scope, code)
    return st.download_button(
        label,
        data=deferred_build(db, scope, code, file_name, build),
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
    )
