-- One row per usable procedure on a staged contact.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['procedure_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_health__procedures') }}") }}
with

procedures as (
    select * from {{ ref('base_health__procedures') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    procedure_id,
    contact_id,
    procedure_code,
    code_system,
    loaded_at
from procedures
