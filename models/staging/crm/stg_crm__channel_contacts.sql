-- One row per usable customer interaction in a service channel, its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['interaction_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_crm__channel_contacts') }}") }}
with

channel_contacts as (
    select * from {{ ref('base_crm__channel_contacts') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
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
