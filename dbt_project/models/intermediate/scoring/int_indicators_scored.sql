{#
    Every active indicator of the catalogue for every collectivity-year with budget data: an
    indicator without data is a row with has_data = false and null value, band and sub-score.
    The band comes first (thresholds with their inclusivity), then the sub-score maps the
    value linearly within its band's interval (seed sub_score_bands, macro sub_score).
#}
with

indicator_values as (
    select * from {{ ref('int_indicator_values_computed') }}
),

indicator_catalogue as (
    select * from {{ ref('indicator_catalogue') }}
    where is_active
),

sub_score_bands as (
    select * from {{ ref('sub_score_bands') }}
),

current_methodology as (
    select * from {{ ref('int_methodology_versions_filtered_to_current') }}
),

collectivity_years as (
    select distinct
        collectivity_code,
        fiscal_year
    from indicator_values
),

spine as (
    select
        collectivity_years.collectivity_code,
        collectivity_years.fiscal_year,
        indicator_catalogue.indicator_code,
        indicator_catalogue.domain_code,
        indicator_catalogue.name_fr as indicator_name_fr,
        indicator_catalogue.name_ar as indicator_name_ar,
        indicator_catalogue.tier,
        indicator_catalogue.direction,
        indicator_catalogue.unit,
        coalesce(indicator_catalogue.green_inclusive, false) as is_green_inclusive,
        coalesce(indicator_catalogue.red_inclusive, false) as is_red_inclusive,
        indicator_catalogue.best_value,
        indicator_catalogue.green_threshold,
        indicator_catalogue.red_threshold,
        indicator_catalogue.worst_value,
        indicator_catalogue.weight_in_domain,
        case when indicator_catalogue.direction = 'higher_better' then -1.0 else 1.0 end
            as risk_orientation
    from collectivity_years
    cross join indicator_catalogue
),

valued as (
    select
        spine.*,
        indicator_values.numerator_value,
        indicator_values.denominator_value,
        indicator_values.indicator_value,
        indicator_values.declared_numerator_value,
        indicator_values.declared_value,
        indicator_values.indicator_value is not null as has_data
    from spine
    left join indicator_values
        on
            spine.collectivity_code = indicator_values.collectivity_code
            and spine.fiscal_year = indicator_values.fiscal_year
            and spine.indicator_code = indicator_values.indicator_code
),

banded as (
    select
        valued.*,
        case
            when not valued.has_data then null
            when valued.direction = 'higher_better'
                then
                    case
                        when
                            valued.indicator_value > valued.green_threshold
                            or (
                                valued.is_green_inclusive
                                and valued.indicator_value = valued.green_threshold
                            )
                            then 'green'
                        when
                            valued.indicator_value < valued.red_threshold
                            or (
                                valued.is_red_inclusive
                                and valued.indicator_value = valued.red_threshold
                            )
                            then 'red'
                        else 'amber'
                    end
            when
                valued.indicator_value < valued.green_threshold
                or (
                    valued.is_green_inclusive
                    and valued.indicator_value = valued.green_threshold
                )
                then 'green'
            when
                valued.indicator_value > valued.red_threshold
                or (
                    valued.is_red_inclusive
                    and valued.indicator_value = valued.red_threshold
                )
                then 'red'
            else 'amber'
        end as band
    from valued
),

scored as (
    select
        ---------- ids
        banded.collectivity_code || '|' || cast(banded.fiscal_year as varchar) || '|'
        || banded.indicator_code as indicator_result_id,
        banded.collectivity_code,
        banded.fiscal_year,
        banded.indicator_code,
        banded.domain_code,
        ---------- strings
        banded.indicator_name_fr,
        banded.indicator_name_ar,
        banded.tier,
        banded.direction,
        banded.unit,
        banded.band,
        current_methodology.methodology_version,
        ---------- numerics
        banded.indicator_value,
        banded.numerator_value,
        banded.denominator_value,
        banded.declared_numerator_value,
        banded.declared_value,
        banded.green_threshold,
        banded.red_threshold,
        banded.weight_in_domain,
        banded.risk_orientation * banded.indicator_value as oriented_value,
        {{ round_to(sub_score(
            'banded.risk_orientation * banded.indicator_value',
            'banded.band',
            'banded.risk_orientation * banded.best_value',
            'banded.risk_orientation * banded.green_threshold',
            'banded.risk_orientation * banded.red_threshold',
            'banded.risk_orientation * banded.worst_value',
            'sub_score_bands',
        ), 4) }} as sub_score,
        ---------- booleans
        banded.has_data
    from banded
    left join sub_score_bands on banded.band = sub_score_bands.band
    cross join current_methodology
)

select * from scored
