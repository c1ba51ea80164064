-- One row per usable care-team membership (recorded person, professional, role, valid_from),
-- its person resolved to the permanent identity code.
with

memberships as (
    select * from {{ ref('base_crm__care_team_memberships') }}
    where quarantine_reason is null
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
