-- One row per usable customer feedback answer; person_id is null for an anonymous answer.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['response_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_crm__feedback_responses') }}") }}
with

feedback_responses as (
    select * from {{ ref('base_crm__feedback_responses') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    response_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    service_code,
    responded_at,
    cast(nps_score as integer) as nps_score,
    prom_instrument,
    prom_score,
    loaded_at
from feedback_responses
