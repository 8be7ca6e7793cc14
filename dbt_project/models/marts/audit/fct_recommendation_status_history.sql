{#
    The full status history of every recommendation: one row per status spell, valid from
    valid_from (included) to valid_to (excluded; null for the current status). The status at a
    date D is the row with valid_from <= D and (valid_to is null or valid_to > D). "Implemented"
    as the auditee declares it (mise_en_oeuvre) and "verified" by an auditor (verifiee) are
    distinct statuses; is_implemented covers both, is_verified only the second.
#}
with

spells as (
    select * from {{ ref('int_recommendation_status_spells_derived') }}
),

statuses as (
    select * from {{ ref('recommendation_statuses') }}
),

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

final as (
    select
        spells.recommendation_status_spell_id,
        spells.recommendation_id,
        spells.collectivity_code,
        collectivities.region_code,
        collectivities.province_code,
        spells.recommendation_status,
        statuses.label_fr as status_label_fr,
        statuses.label_ar as status_label_ar,
        spells.declared_by,
        spells.evidence,
        spells.spell_number,
        collectivities.rollout_phase,
        {{ dbt.datediff('spells.valid_from', 'spells.valid_to', 'day') }}
            as spell_days,
        statuses.is_open,
        statuses.is_implemented,
        statuses.is_verified,
        spells.is_implied,
        spells.is_current,
        spells.valid_from,
        spells.valid_to
    from spells
    left join statuses on spells.recommendation_status = statuses.recommendation_status
    left join collectivities on spells.collectivity_code = collectivities.collectivity_code
)

select * from final
