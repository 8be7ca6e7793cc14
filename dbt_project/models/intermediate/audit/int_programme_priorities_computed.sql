{#
    Audit priority of every scored collectivity-year (METHODOLOGY §4), the base for the
    programme of the next year:
      priority = risk score x (1 + min(years since last audit, cap) / cap x cycle weight)
                 + min(severe findings of the last N years x bonus per finding, bonus cap).
    The risk score is the continuous L x I of fct_risk_scores (1-25, composite and materiality
    on the 1-5 scale before banding): with the banded L x I, the priority took a few dozen
    values for 1,631 collectivities and the national places of the joint pool went, among
    dozens of ties, to the lowest codes.
    Years since last audit come from the AF indicators (last mission at report stage or closed
    that ended by 31 December of the fiscal year); never audited counts as never_audited_years.
    A finding is severe when its criticality is flagged is_severe in finding_severities. All
    parameters are in programme_parameters; every piece of the formula is a column.
    The priority does not use the rank: the risk score, like inherent risk, is L x I with
    impact within the collectivity's level, and priority_rank orders every level together (one pool
    of auditor-days). national_rank and ranked_in_level (rank among the same level) are
    carried for display only.
#}
with

risk_scores as (
    select * from {{ ref('fct_risk_scores') }}
),

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

follow_up as (
    select * from {{ ref('int_audit_follow_up_by_year') }}
),

findings as (
    select * from {{ ref('stg_audit__findings') }}
),

severities as (
    select * from {{ ref('finding_severities') }}
),

parameters as (
    select
        max(case when parameter = 'max_years_since_audit' then value end) as max_years,
        max(case when parameter = 'never_audited_years' then value end) as never_audited_years,
        max(case when parameter = 'audit_cycle_weight' then value end) as cycle_weight,
        max(case when parameter = 'severe_finding_bonus' then value end) as bonus_per_finding,
        max(case when parameter = 'severe_findings_bonus_cap' then value end) as bonus_cap,
        max(case when parameter = 'findings_lookback_years' then value end) as lookback_years
    from {{ ref('programme_parameters') }}
),

severe_findings as (
    select
        risk_scores.collectivity_code,
        risk_scores.fiscal_year,
        count(*) as severe_findings_count
    from risk_scores
    cross join parameters
    inner join findings on risk_scores.collectivity_code = findings.collectivity_code
    inner join severities on findings.criticality = severities.criticality
    where
        severities.is_severe
        and extract(year from findings.finding_date) <= risk_scores.fiscal_year
        and extract(year from findings.finding_date)
        > risk_scores.fiscal_year - parameters.lookback_years
    group by risk_scores.collectivity_code, risk_scores.fiscal_year
),

pieces as (
    select
        risk_scores.collectivity_code,
        collectivities.region_code,
        collectivities.province_code,
        collectivities.level,
        risk_scores.risk_class,
        risk_scores.fiscal_year as base_fiscal_year,
        risk_scores.fiscal_year + 1 as programme_year,
        risk_scores.inherent_risk,
        risk_scores.risk_score,
        risk_scores.national_rank,
        risk_scores.ranked_in_level,
        follow_up.years_since_last_audit,
        least(
            coalesce(follow_up.years_since_last_audit, parameters.never_audited_years),
            parameters.max_years
        ) as years_counted,
        parameters.max_years,
        parameters.cycle_weight,
        coalesce(severe_findings.severe_findings_count, 0) as severe_findings_count,
        least(
            coalesce(severe_findings.severe_findings_count, 0) * parameters.bonus_per_finding,
            parameters.bonus_cap
        ) as severe_findings_bonus,
        collectivities.rollout_phase,
        risk_scores.risk_class = 'critical' as is_critical,
        follow_up.years_since_last_audit is null as is_never_audited
    from risk_scores
    cross join parameters
    left join collectivities on risk_scores.collectivity_code = collectivities.collectivity_code
    left join follow_up
        on
            risk_scores.collectivity_code = follow_up.collectivity_code
            and risk_scores.fiscal_year = follow_up.fiscal_year
    left join severe_findings
        on
            risk_scores.collectivity_code = severe_findings.collectivity_code
            and risk_scores.fiscal_year = severe_findings.fiscal_year
    where risk_scores.inherent_risk is not null and risk_scores.risk_score is not null
),

priorities as (
    select
        collectivity_code || '|' || cast(programme_year as varchar) as programme_priority_id,
        collectivity_code,
        region_code,
        province_code,
        level,
        risk_class,
        base_fiscal_year,
        programme_year,
        inherent_risk,
        risk_score,
        national_rank,
        ranked_in_level,
        years_since_last_audit,
        years_counted,
        1 + years_counted / max_years * cycle_weight as audit_cycle_factor,
        severe_findings_count,
        severe_findings_bonus,
        risk_score * (1 + years_counted / max_years * cycle_weight) + severe_findings_bonus
            as priority_score,
        rollout_phase,
        is_critical,
        is_never_audited
    from pieces
),

ranked as (
    select
        priorities.*,
        row_number() over (
            partition by priorities.programme_year
            order by
                priorities.priority_score desc nulls last,
                priorities.inherent_risk desc nulls last,
                priorities.collectivity_code asc
        ) as priority_rank
    from priorities
)

select * from ranked
