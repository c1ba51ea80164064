-- The OMOP person table as the raw contract's population register (docs/omop-mapping.md): one row per
-- person with the pcdm person identifier (var omop_person_identifier), birth date (birth_datetime, else
-- year, month and day of birth; a missing day reads as the 1st), sex by gender concept
-- (seeds/omop/omop_concept_codes.csv; another concept is delivered as is and quarantined), the
-- municipality of the person's location (else of their care site's; matched to seeds/municipalities.csv
-- by code in location_source_value or by name in city; no location: var omop_default_municipality_code,
-- else the most populous municipality of county_code), death date, and language and non-disclosure from
-- observation rows 'pcdm:language_code' / 'pcdm:non_disclosure' (no observation table: both unknown,
-- read as non-disclosed downstream). loaded_at: cdm_source.source_release_date.
with

persons as (
    select * from {{ omop_table('person') }}
),

deaths as (
    select
        {{ omop_text('person_id') }} as omop_person_id,
        min({{ safe_cast(omop_text('death_date'), 'date') }}) as death_date
    from {{ omop_table('death') }}
    group by {{ omop_text('person_id') }}
),

locations as (
    select * from {{ omop_table('location') }}
),

care_sites as (
    select
        {{ omop_text('care_site_id') }} as care_site_id,
        {{ omop_text('location_id') }} as location_id
    from {{ omop_table('care_site') }}
),

observations as (
    select
        {{ omop_text('person_id') }} as omop_person_id,
        lower({{ omop_text('observation_source_value') }}) as fact,
        {{ omop_text('value_as_string') }} as fact_value
    from {{ omop_table('observation') }}
),

gender_codes as (
    select * from {{ ref('omop_concept_codes') }}
    where concept_domain = 'gender'
),

municipalities as (
    select * from {{ ref('municipalities') }}
),

municipality_names as (
    select
        municipality_name,
        min(municipality_code) as municipality_code
    from (
        select
            lower(municipality_name_fi) as municipality_name,
            municipality_code
        from municipalities
        union
        select
            lower(municipality_name_sv) as municipality_name,
            municipality_code
        from municipalities
    ) as named
    group by municipality_name
    having count(distinct municipality_code) = 1
),

location_municipalities as (
    select
        {{ omop_text('locations.location_id') }} as location_id,
        coalesce(
            by_code.municipality_code,
            by_name.municipality_code,
            {{ omop_text('locations.location_source_value') }},
            {{ omop_text('locations.city') }}
        ) as municipality_code
    from locations
    left join municipalities as by_code
        on lpad({{ omop_text('locations.location_source_value') }}, 3, '0') = by_code.municipality_code
    left join municipality_names as by_name
        on lower({{ omop_text('locations.city') }}) = by_name.municipality_name
),

county_municipalities as (
    select
        municipality_code,
        population
    from municipalities
    where county_code = '{{ var("county_code") }}'
),

most_populous_municipality as (
    select min(municipality_code) as municipality_code
    from county_municipalities
    where population = (select max(largest.population) from county_municipalities as largest)
),

default_municipality as (
    select
        coalesce(
            {{ "'" ~ var('omop_default_municipality_code') ~ "'" if var('omop_default_municipality_code', none) else 'null' }},
            municipality_code
        ) as municipality_code
    from most_populous_municipality
),

flags as (
    select
        omop_person_id,
        max(case when fact = 'pcdm:language_code' then lower(fact_value) end) as language_code,
        max(case when fact = 'pcdm:non_disclosure' then fact_value end) as non_disclosure
    from observations
    group by omop_person_id
)

select
    {{ omop_text('persons.person_id') }} as omop_person_id,
    {{ omop_person_identifier('persons') }} as person_id,
    coalesce(
        cast({{ safe_cast(omop_text('persons.birth_datetime'), 'timestamp') }} as date),
        {{ safe_cast(
            omop_text('persons.year_of_birth') ~ " || '-' || lpad(" ~ omop_text('persons.month_of_birth')
            ~ ", 2, '0') || '-' || lpad(coalesce(" ~ omop_text('persons.day_of_birth') ~ ", '1'), 2, '0')", 'date') }}
    ) as birth_date,
    coalesce(gender_codes.pcdm_code, 'gender_concept_id ' || {{ omop_text('persons.gender_concept_id') }}) as sex_code,
    case
        when {{ omop_text('persons.location_id') }} is null and care_sites.location_id is null then default_municipality.municipality_code
        else coalesce(own_location.municipality_code, care_site_location.municipality_code)
    end as municipality_code,
    flags.language_code,
    {{ "coalesce(flags.non_disclosure, 'false')" if omop_table_delivered('observation') else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
        as non_disclosure,
    deaths.death_date,
    cast(null as timestamp) as updated_at,
    {{ omop_extract_time() }} as loaded_at
from persons
cross join default_municipality
left join gender_codes on {{ omop_text('persons.gender_concept_id') }} = gender_codes.concept_id
left join location_municipalities as own_location on {{ omop_text('persons.location_id') }} = own_location.location_id
left join care_sites on {{ omop_text('persons.care_site_id') }} = care_sites.care_site_id
left join location_municipalities as care_site_location on care_sites.location_id = care_site_location.location_id
left join deaths on {{ omop_text('persons.person_id') }} = deaths.omop_person_id
left join flags on {{ omop_text('persons.person_id') }} = flags.omop_person_id
