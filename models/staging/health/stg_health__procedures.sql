-- One row per usable procedure on a staged contact.
with

procedures as (
    select * from {{ ref('base_health__procedures') }}
    where quarantine_reason is null
)

select
    procedure_id,
    contact_id,
    procedure_code,
    code_system,
    loaded_at
from procedures
