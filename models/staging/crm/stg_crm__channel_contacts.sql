-- One row per usable customer interaction in a service channel, its person resolved to the permanent identity code.
with

channel_contacts as (
    select * from {{ ref('base_crm__channel_contacts') }}
    where quarantine_reason is null
)

select
    interaction_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    channel,
    service_key,
    topic_code,
    occurred_at,
    loaded_at
from channel_contacts
