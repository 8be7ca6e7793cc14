{#
    SE5, PR5, IC2, IC3 and IC4 ingredients, on payment orders visaed by the accountant
    (rejections only count for IC2). Duplicates: two orders of the same supplier and amount
    whose invoice references are equal once upper-cased and stripped of everything but
    letters and digits, within the window (IDEA/ACL normalised duplicate key); one such order
    is a red flag (red_flag_rules). Benford, for collectivities with enough orders: Nigrini's
    mean absolute deviation (MAD) of the first-digit shares from log10(1 + 1/d), the MAD a
    sample of the same size drawn from Benford's law is expected to show, and their difference,
    the excess MAD (Barney & Schulzke 2016), on which IC3 is scored. The expected MAD is the
    mean over the digits of the expected absolute deviation of a share estimated from n
    orders, sqrt(2 p (1 - p) / (pi n)) (normal approximation of the binomial share).
#}
with

payments as (
    select * from {{ ref('stg_tgr__payments') }}
),

benford_digits as (
    select * from {{ ref('benford_first_digits') }}
),

parameters as (
    select
        max(case when parameter = 'duplicate_window_days' then value end)
            as duplicate_window_days,
        max(case when parameter = 'benford_min_payments' then value end)
            as benford_min_payments
    from {{ ref('indicator_parameters') }}
),

visaed as (
    select
        payment_id,
        collectivity_code,
        fiscal_year,
        supplier_ice,
        payment_amount,
        payment_date,
        regexp_replace(upper(coalesce(invoice_reference, '')), '[^A-Z0-9]', '', 'g')
            as invoice_key
    from payments
    where visa_status = 'vise'
),

duplicate_members as (
    select first_order.payment_id
    from visaed as first_order
    cross join parameters
    inner join visaed as second_order
        on
            first_order.collectivity_code = second_order.collectivity_code
            and first_order.supplier_ice = second_order.supplier_ice
            and first_order.payment_amount = second_order.payment_amount
            and first_order.invoice_key = second_order.invoice_key
            and first_order.invoice_key != ''
            and first_order.payment_id != second_order.payment_id
            and second_order.payment_date >= {{ dbt.dateadd(
                'day', '-1 * parameters.duplicate_window_days', 'first_order.payment_date'
            ) }}
            and second_order.payment_date <= {{ dbt.dateadd(
                'day', 'parameters.duplicate_window_days', 'first_order.payment_date'
            ) }}
),

supplier_totals as (
    select
        collectivity_code,
        fiscal_year,
        supplier_ice,
        sum(payment_amount) as supplier_amount,
        row_number() over (
            partition by collectivity_code, fiscal_year
            order by sum(payment_amount) desc nulls last, supplier_ice
        ) as supplier_rank
    from visaed
    group by collectivity_code, fiscal_year, supplier_ice
),

top_suppliers as (
    select
        collectivity_code,
        fiscal_year,
        sum(supplier_amount) as top3_supplier_amount
    from supplier_totals
    where supplier_rank <= 3
    group by collectivity_code, fiscal_year
),

first_digits as (
    select
        collectivity_code,
        fiscal_year,
        cast(substr(cast(cast(floor(payment_amount) as bigint) as varchar), 1, 1) as integer)
            as first_digit
    from visaed
    where payment_amount >= 1
),

digit_counts as (
    select
        collectivity_code,
        fiscal_year,
        count(*) as benford_payments,
        {% for digit in range(1, 10) -%}
            sum(case when first_digit = {{ digit }} then 1 else 0 end) as digit_{{ digit }}_count
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from first_digits
    group by collectivity_code, fiscal_year
),

benford as (
    select
        digit_counts.collectivity_code,
        digit_counts.fiscal_year,
        digit_counts.benford_payments,
        sum(
            abs(
                case benford_digits.first_digit
                    {% for digit in range(1, 10) -%}
                        when {{ digit }} then digit_counts.digit_{{ digit }}_count
                    {% endfor -%}
                end * 1.0 / digit_counts.benford_payments
                - benford_digits.expected_share
            )
        ) / 9 as benford_mad_raw,
        sum(
            sqrt(
                2.0 * benford_digits.expected_share * (1 - benford_digits.expected_share)
                / (pi() * digit_counts.benford_payments)
            )
        ) / 9 as benford_expected_mad_raw
    from digit_counts
    cross join benford_digits
    group by digit_counts.collectivity_code, digit_counts.fiscal_year, digit_counts.benford_payments
),

all_orders as (
    select
        collectivity_code,
        fiscal_year,
        count(*) as payment_orders,
        sum(case when visa_status = 'rejete' then 1 else 0 end) as rejected_orders,
        sum(case when visa_status = 'vise' then payment_amount else 0 end) as paid_amount,
        sum(
            case
                when visa_status = 'vise' and extract(month from payment_date) = 12
                    then payment_amount
                else 0
            end
        ) as december_paid_amount
    from payments
    group by collectivity_code, fiscal_year
),

duplicates as (
    select
        visaed.collectivity_code,
        visaed.fiscal_year,
        count(distinct duplicate_members.payment_id) as duplicate_orders,
        count(distinct visaed.payment_id) as visaed_orders
    from visaed
    left join duplicate_members on visaed.payment_id = duplicate_members.payment_id
    group by visaed.collectivity_code, visaed.fiscal_year
),

aggregated as (
    select
        all_orders.collectivity_code || '|' || cast(all_orders.fiscal_year as varchar)
            as collectivity_year_id,
        all_orders.collectivity_code,
        all_orders.fiscal_year,
        all_orders.payment_orders,
        all_orders.rejected_orders,
        all_orders.paid_amount,
        all_orders.december_paid_amount,
        top_suppliers.top3_supplier_amount,
        duplicates.duplicate_orders,
        duplicates.visaed_orders,
        benford.benford_payments,
        case
            when benford.benford_payments >= parameters.benford_min_payments
                then {{ round_to("benford.benford_mad_raw", 6) }}
        end as benford_mad,
        case
            when benford.benford_payments >= parameters.benford_min_payments
                then {{ round_to("benford.benford_expected_mad_raw", 6) }}
        end as benford_expected_mad,
        case
            when benford.benford_payments >= parameters.benford_min_payments
                then {{ round_to("benford.benford_mad_raw - benford.benford_expected_mad_raw", 6) }}
        end as benford_excess_mad
    from all_orders
    cross join parameters
    left join top_suppliers
        on
            all_orders.collectivity_code = top_suppliers.collectivity_code
            and all_orders.fiscal_year = top_suppliers.fiscal_year
    left join duplicates
        on
            all_orders.collectivity_code = duplicates.collectivity_code
            and all_orders.fiscal_year = duplicates.fiscal_year
    left join benford
        on
            all_orders.collectivity_code = benford.collectivity_code
            and all_orders.fiscal_year = benford.fiscal_year
)

select * from aggregated
