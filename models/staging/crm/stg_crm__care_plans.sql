-- One row per usable customer plan, its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['plan_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_crm__care_plans') }}") }}
with

care_plans as (
    select * from {{ ref('base_crm__care_plans') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    plan_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    plan_type,
    created_date,
    next_review_date,
    closed_date,
    loaded_at
from care_plans
