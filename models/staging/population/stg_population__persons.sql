-- One row per person in the population register: the latest usable delivery.
with

persons as (
    select * from {{ ref('base_population__persons') }}
    where quarantine_reason is null
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
