-- One row per temporary identifier linked to a permanent person in the register.
with

id_links as (
    select * from {{ ref('base_population__id_links') }}
    where quarantine_reason is null
)

select
    temporary_id,
    person_id,
    linked_at,
    loaded_at
from id_links
