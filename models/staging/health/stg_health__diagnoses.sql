-- One row per usable diagnosis on a staged contact or episode.
with

diagnoses as (
    select * from {{ ref('base_health__diagnoses') }}
    where quarantine_reason is null
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
