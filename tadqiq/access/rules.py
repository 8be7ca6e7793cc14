"""Who may see what: roles, the immutable ``Scope``, the refusal, and the pages of each role.

This module is the one place for the access rules:

* ``ROLE_PAGES``: the pages each role finds in its navigation (a page missing there is not
  reachable at all);
* ``Scope.sql_condition``: the collectivities a scope covers, as a parameterised SQL condition
  on ``marts.dim_collectivities``, which ``tadqiq.warehouse`` adds to every query.

No Streamlit session or database here, so the rules are easy to test on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tadqiq.i18n import FR


class Role(StrEnum):
    MINISTRY = "ministry"
    REGION = "region"
    COLLECTIVITY = "collectivity"
    DATA_TEAM = "data_team"


REGION_CODE = re.compile(r"^\d{2}$")
COLLECTIVITY_CODE = re.compile(r"^\d{2}(\.\d{3}(\.\d{2}\.\d{1,2})?)?$")


@dataclass(frozen=True)
class Scope:
    """What one authenticated user may see; built once at login, never changed.

    ``area`` is the region code of a ``region`` user, the collectivity code of a
    ``collectivity`` auditor, and None for the ministry and the data team.
    """

    role: Role
    user_id: str
    area: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        if not self.user_id:
            raise ValueError("a scope needs a user id")
        if self.role is Role.REGION and not REGION_CODE.match(self.area or ""):
            raise ValueError(f"a region scope needs a two-digit region code, got {self.area!r}")
        if self.role is Role.COLLECTIVITY and not COLLECTIVITY_CODE.match(self.area or ""):
            raise ValueError(f"a collectivity scope needs a collectivity code, got {self.area!r}")
        if self.role in (Role.MINISTRY, Role.DATA_TEAM) and self.area is not None:
            raise ValueError(f"the {self.role} role has no area, got {self.area!r}")

    @property
    def sees_risk_data(self) -> bool:
        """The data team runs the pipeline but never sees a collectivity's risk data."""
        return self.role is not Role.DATA_TEAM

    def sql_condition(self, alias: str = "c") -> tuple[str, list[str]]:
        """The rows of ``marts.dim_collectivities`` (as ``alias``) this scope covers.

        * ministry: every collectivity;
        * region: the regional council, provinces, communes and arrondissements whose
          ``region_code`` is the region's (a region row carries its own code there);
        * collectivity: the collectivity itself and the arrondissements whose
          ``parent_commune_code`` it is;
        * data team: none.
        """
        if self.role is Role.MINISTRY:
            return "true", []
        if self.role is Role.REGION:
            return f"{alias}.region_code = ?", [str(self.area)]
        if self.role is Role.COLLECTIVITY:
            condition = f"({alias}.collectivity_code = ? or {alias}.parent_commune_code = ?)"
            return condition, [str(self.area), str(self.area)]
        return "false", []


class AccessDenied(PermissionError):
    """A request outside the user's scope; the message is French, ``label_key`` for i18n."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        self.reason = reason
        self.code = code
        self.label_key = f"denied_{reason}"
        super().__init__(FR[self.label_key].format(code=code))


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str  # a Streamlit Material icon (``:material/name:``): no emoji font needed


PAGES: dict[str, PageSpec] = {
    "national": PageSpec("app_pages/national.py", "page_national", ":material/map:"),
    "collectivity": PageSpec(
        "app_pages/collectivity.py", "page_collectivity", ":material/account_balance:"
    ),
    "quality": PageSpec("app_pages/quality.py", "page_quality", ":material/fact_check:"),
    "access_log": PageSpec("app_pages/access_log.py", "page_access_log", ":material/history:"),
    "programme": PageSpec("app_pages/programme.py", "page_programme", ":material/event_note:"),
    "recommendations": PageSpec(
        "app_pages/recommendations.py", "page_recommendations", ":material/task_alt:"
    ),
    "rollout": PageSpec("app_pages/rollout.py", "page_rollout", ":material/explore:"),
}

# The first page of a role is where it lands after logging in.
ROLE_PAGES: dict[Role, tuple[str, ...]] = {
    Role.MINISTRY: (
        "national",
        "collectivity",
        "programme",
        "recommendations",
        "rollout",
        "quality",
        "access_log",
    ),
    Role.REGION: ("national", "collectivity", "programme", "recommendations", "rollout"),
    Role.COLLECTIVITY: ("collectivity", "programme", "recommendations"),
    Role.DATA_TEAM: ("quality",),
}


def pages_for(role: Role) -> list[PageSpec]:
    """The pages of a role's navigation, landing page first."""
    return [PAGES[name] for name in ROLE_PAGES[role]]
