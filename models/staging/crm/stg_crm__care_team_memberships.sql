-- One row per usable care-team membership (recorded person, professional, role, valid_from),
-- its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['recorded_person_id', 'professional_id', 'role', 'valid_from'], pre_hook="{{ delete_keys_evaluated_tonight('base_crm__care_team_memberships') }}") }}
with

memberships as (
    select * from {{ ref('base_crm__care_team_memberships') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    professional_id,
    role,
    valid_from,
    valid_to,
    loaded_at
from memberships
