-- One row per usable inpatient episode, its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['episode_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_health__episodes') }}") }}
with

episodes as (
    select * from {{ ref('base_health__episodes') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    episode_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    admission_date,
    discharge_date,
    specialty_code,
    service_key,
    unit_id,
    admission_type,
    care_level,
    cost_eur,
    loaded_at
from episodes
