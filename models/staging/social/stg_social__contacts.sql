-- One row per usable social care client work contact, its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['contact_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_social__contacts') }}") }}
with

contacts as (
    select * from {{ ref('base_social__contacts') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    contact_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    contact_start,
    service_task_code,
    service_code,
    service_key,
    contact_type_code,
    professional_id,
    cost_eur,
    loaded_at
from contacts
