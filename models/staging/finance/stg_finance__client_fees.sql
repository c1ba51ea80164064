-- One row per usable client fee invoice, its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['invoice_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_finance__client_fees') }}") }}
with

client_fees as (
    select * from {{ ref('base_finance__client_fees') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    invoice_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    service_code,
    invoice_date,
    amount_eur,
    paid_date,
    loaded_at
from client_fees
