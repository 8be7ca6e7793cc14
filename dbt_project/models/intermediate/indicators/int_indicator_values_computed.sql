{#
    Every computable indicator as numerator / denominator, per collectivity and fiscal year
    (formulas: docs/methodology.md). A missing or zero denominator gives no value, never a
    zero. The loan book is taken as complete: a collectivity without a
    loan has no debt (FS3 = FS4 = 0), and FS3 is set to 99 years (beyond the worst anchor)
    when a collectivity with debt has no gross savings.
    RM2 sets the arrears of every tax and fee of the arrears statement (State-managed TP, TH,
    TSC and commune-managed) against the collections of the same taxes and fees.
    AF1 is scored on the recommendations an auditor verified; declared_value keeps the
    share declared implemented by the audited body (verified or not) beside it.
    FS5 sets the available surplus at the close (treasury statement) against the year's
    spending; RM6 counts the building and subdivision permits without a tax receipt in the
    e-permit register over those issued. IC3 is the excess MAD (MAD minus the MAD expected
    from a sample of the same size, Barney & Schulzke 2016).
#}
{%- set fractions = [
    ('FS1', 'operating_revenue_amount - operating_spend_amount', 'operating_revenue_amount'),
    ('FS2', 'transferred_revenue_amount', 'operating_revenue_amount'),
    ('FS3', 'debt_outstanding', 'operating_revenue_amount - operating_spend_amount'),
    ('FS4', 'debt_service', 'operating_revenue_amount'),
    ('FS5', 'available_surplus_amount', 'total_spend_amount'),
    ('RM1', 'tax_collected_amount', 'tax_assessed_amount'),
    ('RM2', 'arrears_total_amount', 'tax_collected_amount'),
    ('RM3', 'arrears_older_than_4y_amount', 'arrears_total_amount'),
    ('RM4', 'own_revenue_per_inhabitant', 'peer_own_revenue_per_inhabitant'),
    ('RM6', 'permits_without_tax_receipt', 'taxed_permits'),
    ('SE2', 'equipment_paid_amount', 'equipment_credit_amount'),
    ('SE3', 'equipment_paid_amount', 'total_spend_amount'),
    ('SE4', 'committed_amount - total_spend_amount', 'total_spend_amount'),
    ('SE5', 'december_paid_amount', 'paid_amount'),
    ('PR1', 'purchase_order_amount', 'purchase_order_amount + contract_amount'),
    ('PR2', 'suspected_split_amount', 'purchase_order_amount'),
    ('PR3', 'single_bid_procedures', 'competitive_procedures'),
    ('PR4', 'negotiated_amount', 'contract_amount'),
    ('PR5', 'top3_supplier_amount', 'paid_amount'),
    ('PR6', 'drifted_contracts', 'contracts_count'),
    ('HR1', 'personnel_spend_amount', 'operating_spend_amount'),
    ('HR2', 'staff_per_1000_inhabitants', 'peer_staff_per_1000_inhabitants'),
    ('HR3', 'anomalous_agents', 'headcount'),
    ('IC1', 'ic_maturity_score', 'ic_assessed'),
    ('IC2', 'rejected_orders', 'payment_orders'),
    ('IC3', 'benford_excess_mad', 'benford_assessed'),
    ('IC4', 'duplicate_orders', 'visaed_orders'),
    ('AF1', 'recommendations_verified', 'recommendations_due'),
    ('AF2', 'recommendations_overdue_over_12_months', 'recommendations_open'),
    ('AF3', 'missions_done', 'missions_planned'),
    ('AF4', 'severe_findings', 'audit_history'),
    ('AF5', 'years_since_last_audit', 'last_audit_known'),
] -%}
with

finances as (
    select * from {{ ref('int_finances_aggregated_by_year') }}
),

arrears as (
    select * from {{ ref('int_revenue_arrears_aggregated_by_year') }}
),

debt as (
    select * from {{ ref('int_debt_aggregated_by_year') }}
),

surpluses as (
    select * from {{ ref('int_surpluses_aggregated_by_year') }}
),

permits as (
    select * from {{ ref('int_urbanism_permits_aggregated_by_year') }}
),

payroll as (
    select * from {{ ref('int_payroll_anomalies_by_year') }}
),

procurement as (
    select * from {{ ref('int_procurement_aggregated_by_year') }}
),

payments as (
    select * from {{ ref('int_payments_aggregated_by_year') }}
),

ic_campaigns as (
    select * from {{ ref('int_ic_maturity_by_campaign') }}
),

follow_up as (
    select * from {{ ref('int_audit_follow_up_by_year') }}
),

peers as (
    select * from {{ ref('int_collectivities_grouped_by_peer') }}
),

latest_campaign as (
    select
        finances.collectivity_code,
        finances.fiscal_year,
        max(ic_campaigns.campaign_year) as campaign_year
    from finances
    inner join ic_campaigns
        on
            finances.collectivity_code = ic_campaigns.collectivity_code
            and finances.fiscal_year >= ic_campaigns.campaign_year
    group by finances.collectivity_code, finances.fiscal_year
),

per_inhabitant as (
    select
        finances.collectivity_year_id,
        finances.fiscal_year,
        peers.peer_group,
        1.0 * finances.own_revenue_amount / nullif(peers.population_2024, 0)
            as own_revenue_per_inhabitant,
        1000.0 * payroll.headcount / nullif(peers.population_2024, 0)
            as staff_per_1000_inhabitants
    from finances
    inner join peers on finances.collectivity_code = peers.collectivity_code
    left join payroll on finances.collectivity_year_id = payroll.collectivity_year_id
),

peer_medians as (
    select
        fiscal_year,
        peer_group,
        percentile_cont(0.5) within group (order by own_revenue_per_inhabitant)
            as peer_own_revenue_per_inhabitant,
        percentile_cont(0.5) within group (order by staff_per_1000_inhabitants)
            as peer_staff_per_1000_inhabitants
    from per_inhabitant
    group by fiscal_year, peer_group
),

wide as (
    select
        finances.collectivity_code,
        finances.fiscal_year,
        finances.operating_revenue_amount,
        finances.operating_spend_amount,
        finances.transferred_revenue_amount,
        finances.own_revenue_amount,
        finances.tax_assessed_amount,
        finances.tax_collected_amount,
        finances.personnel_spend_amount,
        finances.equipment_credit_amount,
        finances.equipment_paid_amount,
        finances.total_spend_amount,
        finances.committed_amount,
        arrears.arrears_total_amount,
        arrears.arrears_older_than_4y_amount,
        surpluses.available_surplus_amount,
        permits.taxed_permits,
        permits.permits_without_tax_receipt,
        coalesce(debt.debt_outstanding_amount, 0) as debt_outstanding,
        coalesce(debt.debt_interest_amount, 0) + coalesce(debt.debt_principal_amount, 0)
            as debt_service,
        per_inhabitant.own_revenue_per_inhabitant,
        per_inhabitant.staff_per_1000_inhabitants,
        peer_medians.peer_own_revenue_per_inhabitant,
        peer_medians.peer_staff_per_1000_inhabitants,
        payroll.headcount,
        payroll.anomalous_agents,
        procurement.purchase_order_amount,
        procurement.contract_amount,
        procurement.suspected_split_amount,
        procurement.competitive_procedures,
        procurement.single_bid_procedures,
        procurement.negotiated_amount,
        procurement.contracts_count,
        procurement.drifted_contracts,
        payments.payment_orders,
        payments.rejected_orders,
        payments.paid_amount,
        payments.december_paid_amount,
        payments.top3_supplier_amount,
        payments.duplicate_orders,
        payments.visaed_orders,
        payments.benford_excess_mad,
        case when payments.benford_excess_mad is not null then 1 end as benford_assessed,
        ic_campaigns.ic_maturity_score,
        case when ic_campaigns.ic_maturity_score is not null then 1 end as ic_assessed,
        follow_up.recommendations_due,
        follow_up.recommendations_implemented,
        follow_up.recommendations_verified,
        follow_up.recommendations_open,
        follow_up.recommendations_overdue_over_12_months,
        follow_up.missions_planned,
        follow_up.missions_done,
        coalesce(follow_up.severe_findings_3y, 0) as severe_findings,
        case when follow_up.missions_planned is not null then 1 end as audit_history,
        follow_up.years_since_last_audit,
        case when follow_up.years_since_last_audit is not null then 1 end as last_audit_known
    from finances
    left join arrears on finances.collectivity_year_id = arrears.collectivity_year_id
    left join debt on finances.collectivity_year_id = debt.collectivity_year_id
    left join surpluses on finances.collectivity_year_id = surpluses.collectivity_year_id
    left join permits on finances.collectivity_year_id = permits.collectivity_year_id
    left join payroll on finances.collectivity_year_id = payroll.collectivity_year_id
    left join procurement on finances.collectivity_year_id = procurement.collectivity_year_id
    left join payments on finances.collectivity_year_id = payments.collectivity_year_id
    left join follow_up on finances.collectivity_year_id = follow_up.collectivity_year_id
    left join per_inhabitant
        on finances.collectivity_year_id = per_inhabitant.collectivity_year_id
    left join peer_medians
        on
            per_inhabitant.fiscal_year = peer_medians.fiscal_year
            and per_inhabitant.peer_group = peer_medians.peer_group
    left join latest_campaign
        on
            finances.collectivity_code = latest_campaign.collectivity_code
            and finances.fiscal_year = latest_campaign.fiscal_year
    left join ic_campaigns
        on
            latest_campaign.collectivity_code = ic_campaigns.collectivity_code
            and latest_campaign.campaign_year = ic_campaigns.campaign_year
),

fractions as (
    {% for code, numerator, denominator in fractions %}
        select
            collectivity_code,
            fiscal_year,
            '{{ code }}' as indicator_code,
            {{ numerator }} as numerator_value,
            {{ denominator }} as denominator_value,
            cast(
                {{ 'recommendations_implemented' if code == 'AF1' else 'null' }} as numeric(18, 2)
            ) as declared_numerator_value
        from wide
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

computed as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) || '|' || indicator_code
            as indicator_value_id,
        collectivity_code,
        fiscal_year,
        indicator_code,
        numerator_value,
        denominator_value,
        declared_numerator_value,
        case
            when indicator_code = 'FS3' and numerator_value = 0 then 0.0
            when indicator_code = 'FS3' and denominator_value <= 0 then 99.0
            when denominator_value > 0 and numerator_value is not null
                then 1.0 * numerator_value / denominator_value
        end as indicator_value,
        case
            when denominator_value > 0 and declared_numerator_value is not null
                then 1.0 * declared_numerator_value / denominator_value
        end as declared_value
    from fractions
)

select * from computed
