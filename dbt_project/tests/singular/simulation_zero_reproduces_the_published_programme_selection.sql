{#
    The programme selection redone per simulation (int_programme_selection_simulated) gives,
    with the published weights (simulation 0), exactly the published selection: the same
    joint inspections as int_joint_inspections_selected and the same critical collectivities
    as int_programme_priorities_computed. A row returned is a disagreement.
#}
select
    priorities.collectivity_code,
    priorities.programme_year,
    simulated.is_joint_selected,
    joint.is_selected as published_joint_selected,
    simulated.is_critical,
    priorities.is_critical as published_critical
from {{ ref('int_programme_priorities_computed') }} as priorities
left join {{ ref('int_programme_selection_simulated') }} as simulated
    on
        priorities.collectivity_code = simulated.collectivity_code
        and priorities.programme_year = simulated.programme_year
        and simulated.simulation_id = 0
left join {{ ref('int_joint_inspections_selected') }} as joint
    on
        priorities.collectivity_code = joint.collectivity_code
        and priorities.programme_year = joint.programme_year
where
    simulated.collectivity_code is null
    or joint.collectivity_code is null
    or simulated.is_joint_selected != joint.is_selected
    or simulated.is_critical != priorities.is_critical
