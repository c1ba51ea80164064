-- One row per usable income support payment, its person resolved to the permanent identity code.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['payment_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_social__income_support_payments') }}") }}
with

payments as (
    select * from {{ ref('base_social__income_support_payments') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    payment_id,
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    recorded_person_id,
    payment_month,
    benefit_type,
    service_key,
    amount_eur,
    loaded_at
from payments
