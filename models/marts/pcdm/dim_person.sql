-- One row per person in the population register, pseudonymous. Non-disclosure persons
-- (turvakielto) are counted but their municipality is never shown.
with

persons as (
    select * from {{ ref('int_persons_in_scope') }}
)

select
    person_key,
    reference_date,
    cast(extract(year from birth_date) as integer) as birth_year,
    cast(age as integer) as age,
    {{ age_group('age') }} as age_group,
    {{ sex_label('sex_code') }} as sex,
    {{ shown_municipality('non_disclosure', 'municipality_code') }} as municipality_code,
    language_code,
    is_in_scope,
    death_date
from persons
