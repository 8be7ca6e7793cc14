"""The query cache: results keyed by the snapshot file, its modification time and the arguments.

A published snapshot is never written again (a new publication is a new file), so a result
stays true as long as its file is unchanged: no time-to-live is needed, and a warehouse
rebuilt in place (tests, development) changes its modification time and misses the cache.
The scope is part of the arguments, so a result computed for one user's scope is never
served to another. Callers get a copy, so a page that edits a frame cannot change what the
next session reads.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pandas as pd

P = ParamSpec("P")
R = TypeVar("R")
MAX_ENTRIES = 1024

_caches: list[Any] = []


def _copy(value: Any) -> Any:
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy()
    if isinstance(value, dict | list):
        return copy.deepcopy(value)
    return value  # frozensets, numbers, strings, None: immutable


def cached(function: Callable[P, R]) -> Callable[P, R]:
    """Cache ``function(db, *args)``, a query on the DuckDB file ``db``."""

    @functools.lru_cache(maxsize=MAX_ENTRIES)
    def _call(db: str, modified: int, args: tuple, kwargs: tuple) -> Any:
        return function(db, *args, **dict(kwargs))

    @functools.wraps(function)
    def wrapper(db: str, *args: Any, **kwargs: Any) -> Any:
        modified = os.stat(db).st_mtime_ns
        return _copy(_call(db, modified, args, tuple(sorted(kwargs.items()))))

    wrapper.cache_clear = _call.cache_clear  # type: ignore[attr-defined]
    _caches.append(_call)
    return wrapper  # type: ignore[return-value]


def clear() -> None:
    """Forget every cached result (tests; a data team's manual refresh)."""
    for cache in _caches:
        cache.cache_clear()
