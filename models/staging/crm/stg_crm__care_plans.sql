-- One row per usable customer plan, its person resolved to the permanent identity code.
with

care_plans as (
    select * from {{ ref('base_crm__care_plans') }}
    where quarantine_reason is null
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
