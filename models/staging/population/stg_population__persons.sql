-- One row per person in the population register: the latest usable delivery.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['person_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_population__persons') }}") }}
with

persons as (
    select * from {{ ref('base_population__persons') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    person_id,
    {{ pseudonymise('person_id') }} as person_key,
    birth_date,
    sex_code,
    municipality_code,
    language_code,
    non_disclosure,
    death_date,
    updated_at,
    loaded_at
from persons
