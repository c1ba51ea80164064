-- Every registered person (pseudonymous: identity codes stay in staging) with their age at R and whether they belong to the population in scope:
-- home municipality in the chosen wellbeing services county (var county_code), alive at the start
-- of the 12-month window or died inside it, and born on or before R.
with

persons as (
    select * from {{ ref('stg_population__persons') }}
),

municipalities as (
    select * from {{ ref('municipalities') }}
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

aged as (
    select
        persons.person_key,
        persons.birth_date,
        persons.sex_code,
        persons.municipality_code,
        persons.language_code,
        persons.non_disclosure,
        persons.death_date,
        municipalities.county_code,
        reference_period.reference_date,
        reference_period.window_12m_after,
        {{ age_in_years(
            'persons.birth_date',
            'case when persons.death_date < reference_period.reference_date then persons.death_date'
            ~ ' else reference_period.reference_date end'
        ) }} as age
    from persons
    cross join reference_period
    left join municipalities on persons.municipality_code = municipalities.municipality_code
)

select
    *,
    coalesce(
        county_code = '{{ var("county_code") }}'
        and (death_date is null or death_date > window_12m_after)
        and birth_date <= reference_date,
        false
    ) as is_in_scope
from aged
