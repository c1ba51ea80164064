-- One row per usable expression of will or consent, its person resolved to the permanent identity code.
with

consents as (
    select * from {{ ref('base_crm__consents') }}
    where quarantine_reason is null
)

select
    consent_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    consent_type,
    status,
    valid_from,
    valid_to,
    loaded_at
from consents
