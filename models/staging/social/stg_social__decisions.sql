-- One row per usable social welfare service decision, its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['decision_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_social__decisions') }}") }}
with

decisions as (
    select * from {{ ref('base_social__decisions') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    decision_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    service_task_code,
    service_code,
    service_key,
    decision_date,
    valid_from,
    valid_to,
    decision_type,
    monthly_cost_eur,
    loaded_at
from decisions
