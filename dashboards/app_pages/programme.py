"""Programme d'audit: execution of the adopted programme, the proposal for next year, and the
differences between the two.

* ministry and region users: KPIs of a programme year, a map of the execution rate (regions,
  or the provinces of a region), missions and auditor-days per year, missions per region and
  rollout phase, the slipped missions, the proposed programme (cell missions, joint IGAT/IGF
  inspections, multi-year cycle) and its differences with the adopted one;
* a collectivity auditor: its cell, its own programme (proposed against adopted) and its
  missions with their dates and status.

Everything comes from the scoped data layer; the filter offers only the scope's regions and
collectivities and refuses (shown, logged) a foreign code by URL or widget state.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import audit_charts, auth, freshness, read_log
from dashboards.audit_views import (
    Selection,
    as_of_caption,
    body_label,
    date_text,
    difference_label,
    kind_label,
    mission_status_label,
    phase_label,
    place_name,
    process_label,
    scope_filter,
)
from dashboards.text import plain
from tadqiq import warehouse
from tadqiq.access import Role, Scope
from tadqiq.i18n import MISSING, fmt_number, fmt_pct, localized, t

COUNTS = (
    "missions_planned", "missions_done", "missions_cancelled", "missions_in_progress",
    "missions_not_started", "missions_late", "auditor_days_planned", "auditor_days_used",
)  # fmt: skip


def totals(progress: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum the counts over ``by`` and divide again for the execution rate."""
    summed = progress.groupby(by, dropna=False)[list(COUNTS)].sum().reset_index()
    summed["execution_rate"] = summed["missions_done"] / summed["missions_planned"]
    return summed


def render_kpis(progress: pd.DataFrame, year: int) -> None:
    row = progress[progress["programme_year"] == year][list(COUNTS)].sum()
    planned, done, cancelled, rate, days = st.columns(5)
    planned.metric(t("kpi_missions_planned"), fmt_number(row["missions_planned"]))
    done.metric(t("kpi_missions_done"), fmt_number(row["missions_done"]))
    cancelled.metric(t("kpi_missions_cancelled"), fmt_number(row["missions_cancelled"]))
    execution = row["missions_done"] / row["missions_planned"] if row["missions_planned"] else None
    rate.metric(t("kpi_execution_rate"), fmt_pct(execution))
    used = (
        row["auditor_days_used"] / row["auditor_days_planned"]
        if row["auditor_days_planned"]
        else None
    )
    days.metric(
        t("kpi_auditor_days"),
        fmt_number(row["auditor_days_used"]),
        help=t("kpi_auditor_days_help"),
    )
    days.caption(
        t("kpi_days_used_rate", planned=fmt_number(row["auditor_days_planned"]), rate=fmt_pct(used))
    )


def render_map(db: str, scope: Scope, progress: pd.DataFrame, year: int, sel: Selection) -> None:
    """Execution rate by region (whole country) or by province (one region)."""
    of_year = progress[progress["programme_year"] == year]
    one_region = scope.role is Role.REGION or sel.region is not None
    level = "province" if one_region else "region"
    column = f"{level}_code"
    by_area = totals(of_year.dropna(subset=[column]), [column])
    directory = warehouse.collectivities(db, scope)
    names = directory[localized("name")]
    by_area["area_code"] = by_area[column]
    by_area["area_name"] = by_area[column].map(lambda code: names.get(code, code))
    geojson = warehouse.boundaries(db, scope, level)
    background = warehouse.boundaries(db, scope, "region") if level == "province" else None
    title = t(f"execution_map_title_{level}", year=year)
    if by_area.empty:
        st.info(t("no_missions"))
        return
    st.plotly_chart(audit_charts.execution_map(by_area, geojson, title, background))
    if level == "province":
        st.caption(t("execution_map_province_note"))


def render_by_group(progress: pd.DataFrame, year: int) -> None:
    of_year = progress[progress["programme_year"] == year]
    region_col, phase_col = st.columns(2)
    by_region = totals(of_year, ["region_code", localized("region_name")])
    region_col.plotly_chart(
        audit_charts.missions_by_group(
            by_region,
            localized("region_name"),
            t("missions_by_region_title", year=year),
            horizontal=True,
        )
    )
    by_phase = totals(of_year, ["rollout_phase"])
    by_phase["phase_name"] = by_phase["rollout_phase"].map(phase_label)
    phase_col.plotly_chart(
        audit_charts.missions_by_group(
            by_phase, "phase_name", t("missions_by_phase_title", year=year)
        )
    )
    table = pd.DataFrame(
        {
            "region": by_region[localized("region_name")],
            "planned": by_region["missions_planned"],
            "done": by_region["missions_done"],
            "cancelled": by_region["missions_cancelled"],
            "late": by_region["missions_late"],
            "rate": by_region["execution_rate"].map(fmt_pct),
            "days_planned": by_region["auditor_days_planned"].map(fmt_number),
            "days_used": by_region["auditor_days_used"].map(fmt_number),
        }
    )
    integer = st.column_config.NumberColumn
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "region": t("col_region"),
            "planned": integer(t("legend_planned"), format="%d"),
            "done": integer(t("legend_done"), format="%d"),
            "cancelled": integer(t("legend_cancelled"), format="%d"),
            "late": integer(t("col_late"), format="%d"),
            "rate": t("kpi_execution_rate"),
            "days_planned": t("legend_days_planned"),
            "days_used": t("legend_days_used"),
        },
        key="programme_by_region",
    )


def render_years(progress: pd.DataFrame) -> None:
    by_year = totals(progress, ["programme_year"])
    missions_col, days_col = st.columns(2)
    missions_col.plotly_chart(audit_charts.missions_by_year(by_year, t("missions_by_year_title")))
    days_col.plotly_chart(audit_charts.auditor_days_by_year(by_year, t("days_by_year_title")))


def missions_table(missions: pd.DataFrame, processes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mission_id": missions["mission_id"],
            "collectivity": place_name(missions),
            "year": missions["programme_year"],
            "body": missions["audit_body"].map(body_label),
            "process": missions["audit_process_code"].map(lambda p: process_label(processes, p)),
            "status": missions["mission_status"].map(mission_status_label),
            "planned_start": missions["planned_start_date"].map(date_text),
            "planned_end": missions["planned_end_date"].map(date_text),
            "actual_start": missions["actual_start_date"].map(date_text),
            "actual_end": missions["actual_end_date"].map(date_text),
            "slippage": missions["slippage_days"],
            "days_planned": missions["planned_auditor_days"],
            "days_used": missions["actual_auditor_days"],
        }
    )


MISSION_COLUMNS_CONFIG = {
    "mission_id": "col_mission",
    "collectivity": "collectivity",
    "year": "programme_year",
    "body": "col_audit_body",
    "process": "col_process",
    "status": "col_status",
    "planned_start": "col_planned_start",
    "planned_end": "col_planned_end",
    "actual_start": "col_actual_start",
    "actual_end": "col_actual_end",
    "slippage": "col_slippage",
    "days_planned": "legend_days_planned",
    "days_used": "legend_days_used",
}


def show_missions(table: pd.DataFrame, key: str) -> None:
    config: dict[str, object] = {name: t(label) for name, label in MISSION_COLUMNS_CONFIG.items()}
    config["year"] = st.column_config.NumberColumn(t("programme_year"), format="%d")
    for name in ("slippage", "days_planned", "days_used"):
        label = t(MISSION_COLUMNS_CONFIG[name])
        config[name] = st.column_config.NumberColumn(label, format="%d")
    st.dataframe(table, hide_index=True, column_config=config, key=key)


def render_slipped(missions: pd.DataFrame, processes: pd.DataFrame, year: int) -> None:
    st.subheader(t("slipped_title", year=year))
    slipped = missions[
        (missions["programme_year"] == year) & (missions["slippage_days"].fillna(0) > 0)
    ].sort_values("slippage_days", ascending=False)
    if slipped.empty:
        st.info(t("no_slipped"))
        return
    st.caption(t("slipped_hint", count=fmt_number(len(slipped))))
    show_missions(missions_table(slipped, processes), "programme_slipped")


def render_proposal(programme: pd.DataFrame, processes: pd.DataFrame) -> None:
    annual = programme[programme["programme_kind"] == "annual"]
    if annual.empty:
        st.info(t("no_proposal"))
        return
    next_year = int(annual["programme_year"].max())
    st.subheader(t("proposal_title", year=next_year))
    selected = programme[programme["is_selected"].fillna(False).astype(bool)]
    of_year = selected[selected["programme_year"] == next_year]
    cycle = selected[selected["programme_kind"] == "multi_year"]
    cell, joint, multi = st.columns(3)
    for column, kind in ((cell, "annual"), (joint, "joint")):
        rows = of_year[of_year["programme_kind"] == kind]
        column.metric(
            t(f"kpi_proposed_{kind}"),
            fmt_number(len(rows)),
            help=t("kpi_proposed_days", days=fmt_number(rows["auditor_days"].sum())),
        )
        column.caption(t("kpi_proposed_days", days=fmt_number(rows["auditor_days"].sum())))
    if cycle.empty:
        multi.metric(t("kpi_proposed_cycle"), MISSING)
    else:
        first, last = int(cycle["programme_year"].min()), int(cycle["programme_year"].max())
        multi.metric(t("kpi_proposed_cycle"), f"{first}–{last}")
        multi.caption(
            t(
                "kpi_cycle_detail",
                missions=fmt_number(len(cycle)),
                collectivities=fmt_number(cycle["collectivity_code"].nunique()),
            )
        )
    chart_col, table_col = st.columns([2, 3])
    chart_col.plotly_chart(
        audit_charts.proposal_by_year(
            programme[programme["programme_year"] >= next_year], t("proposal_chart_title")
        )
    )
    shown = selected[selected["programme_year"] >= next_year].sort_values(
        ["programme_year", "programme_kind", "priority_rank"]
    )
    table = pd.DataFrame(
        {
            "year": shown["programme_year"],
            "kind": shown["programme_kind"].map(kind_label),
            "collectivity": place_name(shown),
            "process": shown["audit_process_code"].map(lambda p: process_label(processes, p)),
            "days": shown["auditor_days"],
            "priority": shown["priority_score"].map(lambda x: fmt_number(x, 1)),
            "reason": shown["selection_reason"].map(lambda r: t(f"reason_{r}")),
        }
    )
    integer = st.column_config.NumberColumn
    table_col.dataframe(
        table,
        hide_index=True,
        column_config={
            "year": integer(t("programme_year"), format="%d"),
            "kind": t("col_kind"),
            "collectivity": t("collectivity"),
            "process": t("col_process"),
            "days": integer(t("col_auditor_days"), format="%d"),
            "priority": t("col_priority"),
            "reason": t("col_reason"),
        },
        key="programme_proposal",
    )


def render_differences(differences: pd.DataFrame, processes: pd.DataFrame) -> None:
    st.subheader(t("differences_title"))
    if differences.empty:
        st.info(t("no_differences"))
        return
    st.caption(t("differences_hint"))
    chart_col, table_col = st.columns([2, 3])
    chart_col.plotly_chart(
        audit_charts.differences_by_year(differences, t("differences_chart_title"))
    )
    years = sorted(differences["programme_year"].unique(), reverse=True)
    year = table_col.selectbox(t("programme_year"), years, key="programme_differences_year")
    shown = differences[differences["programme_year"] == year]
    table = pd.DataFrame(
        {
            "type": shown["difference_type"].map(difference_label),
            "collectivity": place_name(shown),
            "process": shown["audit_process_code"].map(lambda p: process_label(processes, p)),
            "proposed": shown["proposed_kinds"]
            .fillna("")
            .map(
                lambda kinds: (
                    ", ".join(kind_label(k.strip()) for k in kinds.split(",") if k) or MISSING
                )
            ),
            "adopted": shown["adopted_mission_ids"].fillna(MISSING),
        }
    )
    table_col.dataframe(
        table,
        hide_index=True,
        column_config={
            "type": t("col_difference"),
            "collectivity": t("collectivity"),
            "process": t("col_process"),
            "proposed": t("col_proposed_kinds"),
            "adopted": t("col_adopted_missions"),
        },
        key="programme_differences",
    )


def render_cell(cells: pd.DataFrame) -> None:
    st.subheader(t("cell_title"))
    if cells.empty:
        st.info(t("no_cell"))
        return
    if len(cells) == 1:
        cell = cells.iloc[0]
        st.markdown(f"**{plain(cell[localized('name')])}** ({plain(cell['collectivity_code'])})")
        auditors, days, programmable, charter = st.columns(4)
        auditors.metric(t("kpi_auditors"), fmt_number(cell["auditors_count"]))
        days.metric(t("kpi_days_per_year"), fmt_number(cell["auditor_days_per_year"]))
        programmable.metric(
            t("kpi_programmable_days"), fmt_number(cell["programmable_auditor_days"])
        )
        charter.metric(t("kpi_charter"), charter_text(cell))
        return
    st.dataframe(
        pd.DataFrame(
            {
                "collectivity": place_name(cells),
                "auditors": cells["auditors_count"],
                "days": cells["auditor_days_per_year"].map(fmt_number),
                "programmable": cells["programmable_auditor_days"].map(fmt_number),
                "charter": [charter_text(cell) for _, cell in cells.iterrows()],
            }
        ),
        hide_index=True,
        column_config={
            "collectivity": t("collectivity"),
            "auditors": st.column_config.NumberColumn(t("kpi_auditors"), format="%d"),
            "days": t("kpi_days_per_year"),
            "programmable": t("kpi_programmable_days"),
            "charter": t("kpi_charter"),
        },
        key="programme_cells",
    )


def charter_text(cell: pd.Series) -> str:
    return date_text(cell["charter_adopted_date"]) if cell["has_charter"] else t("charter_none")


def render_own_programme(
    db: str, scope: Scope, sel: Selection, missions: pd.DataFrame, processes: pd.DataFrame
) -> None:
    """The collectivity auditor's view: its cell, its programme, its missions."""
    render_cell(warehouse.audit_cells(db, scope, sel.region, sel.code))
    render_proposal(warehouse.audit_programme(db, scope, sel.region, sel.code), processes)
    render_differences(warehouse.programme_differences(db, scope, sel.region, sel.code), processes)
    st.subheader(t("own_missions_title"))
    if missions.empty:
        st.info(t("no_missions"))
        return
    show_missions(missions_table(missions, processes), "programme_own_missions")


scope = auth.require_scope()
db = warehouse.require_warehouse()
st.title(t("page_programme"))
freshness.caption(db, scope, audit=True)
if not warehouse.has_audit_marts(db):
    st.info(t("no_audit_data"))
    st.stop()
selection = scope_filter(db, scope, "programme")
read_log.record(
    scope, collectivity_code=selection.code, region=selection.region, code=selection.code
)
progress = warehouse.programme_progress(db, scope, selection.region, selection.code)
missions = warehouse.missions(db, scope, selection.region, selection.code)
processes = warehouse.audit_process_names(db, scope)
as_of_caption(missions)
if progress.empty:
    st.info(t("no_missions"))
else:
    years = sorted(progress["programme_year"].unique().tolist(), reverse=True)
    # the latest year with a mission done, rather than a programme only starting
    done = progress.loc[progress["missions_done"] > 0, "programme_year"]
    default = years.index(done.max()) if not done.empty else 0
    year = st.selectbox(t("programme_year"), years, index=default, key="programme_year")
    render_kpis(progress, year)
    render_years(progress)
    if scope.role is not Role.COLLECTIVITY:
        render_map(db, scope, progress, year, selection)
        render_by_group(progress, year)
        render_slipped(missions, processes, year)
if scope.role is Role.COLLECTIVITY:
    render_own_programme(db, scope, selection, missions, processes)
else:
    render_proposal(
        warehouse.audit_programme(db, scope, selection.region, selection.code), processes
    )
    render_differences(
        warehouse.programme_differences(db, scope, selection.region, selection.code), processes
    )
