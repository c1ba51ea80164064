-- One row per usable expression of will or consent, its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['consent_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_crm__consents') }}") }}
with

consents as (
    select * from {{ ref('base_crm__consents') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
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
