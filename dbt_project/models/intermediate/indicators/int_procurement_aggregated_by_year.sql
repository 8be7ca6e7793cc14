{#
    PR1, PR2, PR3, PR4 and PR6 ingredients. A purchase order (bon de commande) is in a
    suspected split when, with the other orders of the same supplier awarded within the
    window that starts on its date, it adds up to more than the purchase-order ceiling while
    each order stays under it (parameters: indicator_parameters). Grouping by budget line too
    was tried and dropped: with few purchase-order lines, any busy collectivity crossed the
    ceiling on a line within 30 days (135 of 176 flagged against 22 planted splits).
    suspected_split_orders counts the orders in a suspected split: one is a red flag
    (red_flag_rules), whatever their share of the purchase orders.
#}
with

procedures as (
    select * from {{ ref('stg_marches__procedures') }}
),

parameters as (
    select
        max(case when parameter = 'purchase_order_ceiling' then value end) as order_ceiling,
        max(case when parameter = 'split_window_days' then value end) as split_window_days,
        max(case when parameter = 'drift_amount_share' then value end) as drift_amount_share,
        max(case when parameter = 'drift_delay_share' then value end) as drift_delay_share
    from {{ ref('indicator_parameters') }}
),

purchase_orders as (
    select procedures.*
    from procedures
    cross join parameters
    where
        procedures.procedure_type = 'bon_commande'
        and procedures.awarded_amount < parameters.order_ceiling
),

windows as (
    select
        window_start.procedure_id as window_id,
        member.procedure_id as member_id,
        member.awarded_amount
    from purchase_orders as window_start
    cross join parameters
    inner join purchase_orders as member
        on
            window_start.collectivity_code = member.collectivity_code
            and window_start.fiscal_year = member.fiscal_year
            and window_start.supplier_ice = member.supplier_ice
            and window_start.awarded_date <= member.awarded_date
            and member.awarded_date < {{ dbt.dateadd(
                'day', 'parameters.split_window_days', 'window_start.awarded_date'
            ) }}
),

-- each window's total beside its members, as a window function: a join of the windows with
-- their grouped totals let PostgreSQL, which estimates a CTE's rows badly, plan a nested loop
-- over the millions of window rows of the national scope (no end after 13 minutes)
window_totals as (
    select
        member_id,
        sum(awarded_amount) over (partition by window_id) as window_amount
    from windows
),

split_orders as (
    select distinct window_totals.member_id as procedure_id
    from window_totals
    cross join parameters
    where window_totals.window_amount > parameters.order_ceiling
),

flagged as (
    select
        procedures.*,
        split_orders.procedure_id is not null as is_in_suspected_split,
        procedures.procedure_type in ('appel_offres_ouvert', 'appel_offres_restreint')
            as is_competitive,
        procedures.procedure_type != 'bon_commande' as is_contract,
        procedures.procedure_type != 'bon_commande'
        and (
            procedures.final_amount
            > procedures.awarded_amount * (1 + parameters.drift_amount_share)
            or procedures.actual_duration_days
            > procedures.planned_duration_days * (1 + parameters.drift_delay_share)
        ) as has_drifted
    from procedures
    cross join parameters
    left join split_orders on procedures.procedure_id = split_orders.procedure_id
),

aggregated as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) as collectivity_year_id,
        collectivity_code,
        fiscal_year,
        sum(case when procedure_type = 'bon_commande' then awarded_amount else 0 end)
            as purchase_order_amount,
        sum(case when is_contract then awarded_amount else 0 end) as contract_amount,
        sum(case when is_in_suspected_split then awarded_amount else 0 end)
            as suspected_split_amount,
        sum(case when is_in_suspected_split then 1 else 0 end) as suspected_split_orders,
        sum(case when is_competitive then 1 else 0 end) as competitive_procedures,
        sum(case when is_competitive and bids_received_count = 1 then 1 else 0 end)
            as single_bid_procedures,
        sum(case when procedure_type = 'negocie' then awarded_amount else 0 end)
            as negotiated_amount,
        sum(case when is_contract then 1 else 0 end) as contracts_count,
        sum(case when has_drifted then 1 else 0 end) as drifted_contracts
    from flagged
    group by collectivity_code, fiscal_year
)

select * from aggregated
