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
    COLLECTIVITY = "collectivity"  # the auditor of a collectivity's internal-audit cell
    FOCAL_POINT = "focal_point"  # the audited collectivity's focal point: declares, never verifies
    INSPECTOR = "inspector"  # IGAT / IGF: national, or assigned regions
    DATA_TEAM = "data_team"


REGION_CODE = re.compile(r"^\d{2}$")
COLLECTIVITY_CODE = re.compile(r"^\d{2}(\.\d{3}(\.\d{2}\.\d{1,2})?)?$")
NATIONAL = "national"  # an inspector's area when not assigned to regions
INSPECTOR_AREA = re.compile(r"^(national|\d{2}(,\d{2})*)$")  # "national" or "01,06"

# The auditors: they record missions, findings and recommendations, and verify or reopen a
# recommendation's follow-up. The focal point declares progress; it never verifies.
AUDITORS = frozenset({Role.COLLECTIVITY, Role.REGION, Role.INSPECTOR})

# Who may write what in the audit desk (``tadqiq.desk``); every write is also checked against
# the scope (``Scope.covers``) of the collectivity it is about.
DESK_WRITES: dict[str, frozenset[Role]] = {
    "cell": frozenset({Role.COLLECTIVITY, Role.REGION}),
    "ic_assessment": frozenset({Role.FOCAL_POINT, Role.COLLECTIVITY}),
    "ic_validation": frozenset({Role.COLLECTIVITY, Role.REGION}),
    "mission": AUDITORS,
    "finding": AUDITORS,
    "recommendation": AUDITORS,
    "follow_up_declaration": frozenset({Role.FOCAL_POINT}),
    "follow_up_verification": AUDITORS,
}


@dataclass(frozen=True)
class Scope:
    """What one authenticated user may see; built once at login, never changed.

    ``area`` is the region code of a ``region`` user, the collectivity code of a
    ``collectivity`` auditor or a ``focal_point``, ``national`` or the assigned regions
    (``01,06``) of an ``inspector``, and None for the ministry and the data team.
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
        if self.role in (Role.COLLECTIVITY, Role.FOCAL_POINT) and not COLLECTIVITY_CODE.match(
            self.area or ""
        ):
            raise ValueError(f"a {self.role} scope needs a collectivity code, got {self.area!r}")
        if self.role is Role.INSPECTOR and not INSPECTOR_AREA.match(self.area or ""):
            raise ValueError(
                f"an inspector scope needs 'national' or region codes (01,06), got {self.area!r}"
            )
        if self.role in (Role.MINISTRY, Role.DATA_TEAM) and self.area is not None:
            raise ValueError(f"the {self.role} role has no area, got {self.area!r}")

    @property
    def regions(self) -> tuple[str, ...]:
        """An inspector's assigned regions (empty when national), a region user's region."""
        if self.role is Role.INSPECTOR and self.area != NATIONAL:
            return tuple(str(self.area).split(","))
        if self.role is Role.REGION:
            return (str(self.area),)
        return ()

    @property
    def is_auditor(self) -> bool:
        return self.role in AUDITORS

    @property
    def sees_risk_data(self) -> bool:
        """The data team runs the pipeline but never sees a collectivity's risk data."""
        return self.role is not Role.DATA_TEAM

    def sql_condition(self, alias: str = "c") -> tuple[str, list[str]]:
        """The rows of ``marts.dim_collectivities`` (as ``alias``) this scope covers.

        * ministry: every collectivity;
        * region: the regional council, provinces, communes and arrondissements whose
          ``region_code`` is the region's (a region row carries its own code there);
        * collectivity auditor and focal point: the collectivity itself and the arrondissements
          whose ``parent_commune_code`` it is;
        * inspector: every collectivity (national), or those of its assigned regions;
        * data team: none.
        """
        if self.role is Role.MINISTRY or (self.role is Role.INSPECTOR and not self.regions):
            return "true", []
        if self.role is Role.REGION:
            return f"{alias}.region_code = ?", [str(self.area)]
        if self.role is Role.INSPECTOR:
            marks = ", ".join("?" * len(self.regions))
            return f"{alias}.region_code in ({marks})", list(self.regions)
        if self.role in (Role.COLLECTIVITY, Role.FOCAL_POINT):
            condition = f"({alias}.collectivity_code = ? or {alias}.parent_commune_code = ?)"
            return condition, [str(self.area), str(self.area)]
        return "false", []

    def covers(
        self, code: str, region_code: str | None, parent_commune_code: str | None = None
    ) -> bool:
        """Whether the collectivity ``code`` (in ``region_code``, below ``parent_commune_code``
        for an arrondissement) is in the scope: ``sql_condition`` on one row, for the writes
        of the audit desk, which do not run on the warehouse."""
        if self.role is Role.MINISTRY or (self.role is Role.INSPECTOR and not self.regions):
            return True
        if self.role in (Role.REGION, Role.INSPECTOR):
            return region_code in self.regions
        if self.role in (Role.COLLECTIVITY, Role.FOCAL_POINT):
            return self.area in (code, parent_commune_code)
        return False


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
    "desk_missions": PageSpec(
        "app_pages/desk_missions.py", "page_desk_missions", ":material/assignment:"
    ),
    "desk_follow_up": PageSpec(
        "app_pages/desk_follow_up.py", "page_desk_follow_up", ":material/rule:"
    ),
    "desk_cell": PageSpec("app_pages/desk_cell.py", "page_desk_cell", ":material/groups:"),
    "desk_ic": PageSpec("app_pages/desk_ic.py", "page_desk_ic", ":material/checklist:"),
    "accounts": PageSpec("app_pages/accounts.py", "page_accounts", ":material/manage_accounts:"),
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
        "accounts",  # the ministry administers the named accounts (docs/security.md)
    ),
    Role.REGION: (
        "national",
        "collectivity",
        "programme",
        "recommendations",
        "rollout",
        "desk_missions",
        "desk_follow_up",
        "desk_cell",
        "desk_ic",
    ),
    Role.COLLECTIVITY: (
        "collectivity",
        "programme",
        "recommendations",
        "desk_missions",
        "desk_follow_up",
        "desk_cell",
        "desk_ic",
    ),
    # the focal point lands on what it has to do: declare the follow-up
    Role.FOCAL_POINT: ("desk_follow_up", "collectivity", "recommendations", "desk_ic"),
    Role.INSPECTOR: (
        "national",
        "collectivity",
        "programme",
        "recommendations",
        "desk_missions",
        "desk_follow_up",
    ),
    Role.DATA_TEAM: ("quality",),
}


def pages_for(role: Role) -> list[PageSpec]:
    """The pages of a role's navigation, landing page first."""
    return [PAGES[name] for name in ROLE_PAGES[role]]
