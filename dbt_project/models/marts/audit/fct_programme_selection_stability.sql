{#
    Is the audit decision stable? Per collectivity and scored fiscal year Y (programme year
    Y+1): whether the published programme selects it on its risk scores (critical class, so
    programmed every year of the cycle, or a place in the joint IGAT/IGF pool), and in what
    share of the weight perturbations it is selected (int_programme_selection_simulated,
    simulations 1..n). The decision is unstable when the perturbations reverse it in more than
    unstable_selection_share (ranking_parameters) of the simulations: a selected collectivity
    left out of more than 10 % of them, or one left out that more than 10 % of them select.
    The shares of the two channels are kept beside the total, so that the score card can say
    which line the collectivity sits on.
#}
with

simulated as (
    select * from {{ ref('int_programme_selection_simulated') }}
),

parameters as (
    select max(case when parameter = 'unstable_selection_share' then value end) as unstable_share
    from {{ ref('ranking_parameters') }}
),

published as (
    select * from simulated
    where simulation_id = 0
),

shares as (
    select
        collectivity_code,
        base_fiscal_year,
        count(*) as simulations,
        sum(case when is_programme_selected then 1 else 0 end) as selected_count,
        avg(case when is_programme_selected then 1.0 else 0.0 end) as selection_share,
        avg(case when is_critical then 1.0 else 0.0 end) as critical_share,
        avg(case when is_joint_selected then 1.0 else 0.0 end) as joint_share
    from simulated
    where simulation_id > 0
    group by collectivity_code, base_fiscal_year
),

stability as (
    select
        published.collectivity_code || '|' || cast(published.base_fiscal_year as varchar)
            as selection_stability_id,
        published.collectivity_code,
        published.region_code,
        published.base_fiscal_year as fiscal_year,
        published.programme_year,
        published.is_programme_selected,
        published.is_critical,
        published.is_joint_selected,
        shares.simulations,
        shares.selected_count,
        round(shares.selection_share, 4) as selection_share,
        round(shares.critical_share, 4) as critical_share,
        round(shares.joint_share, 4) as joint_share,
        {# counted, not divided: "more than 10 % of 200" is more than 20, exactly #}
        case
            when published.is_programme_selected
                then
                    shares.simulations - shares.selected_count
                    > parameters.unstable_share * shares.simulations
            else shares.selected_count > parameters.unstable_share * shares.simulations
        end as is_selection_unstable
    from published
    inner join shares
        on
            published.collectivity_code = shares.collectivity_code
            and published.base_fiscal_year = shares.base_fiscal_year
    cross join parameters
)

select * from stability
