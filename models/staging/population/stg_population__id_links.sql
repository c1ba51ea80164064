-- One row per temporary identifier linked to a permanent person in the register.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['temporary_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_population__id_links') }}") }}
with

id_links as (
    select * from {{ ref('base_population__id_links') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    temporary_id,
    person_id,
    linked_at,
    loaded_at
from id_links
