-- One row per usable diagnosis on a staged contact or episode.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['diagnosis_id'], pre_hook="{{ delete_keys_evaluated_tonight('base_health__diagnoses') }}") }}
with

diagnoses as (
    select * from {{ ref('base_health__diagnoses') }}
    where quarantine_reason is null and {{ evaluated_tonight() }}
)

select
    diagnosis_id,
    record_type,
    record_id,
    diagnosis_code,
    diagnosis_code_compact,
    code_system,
    diagnosis_rank,
    loaded_at
from diagnoses
