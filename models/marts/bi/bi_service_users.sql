-- Overview of the Soite multi-service report: which services do heavy users use? Users of each
-- harmonised service in the 12-month window, for every combination of age group, sex and heavy-user
-- group (`all` a level of each), small cells suppressed (macros/privacy/suppress_small_cells.sql).
with

persons as (
    select * from {{ ref('int_bi_persons') }}
),

usage as (
    select * from {{ ref('int_person_service_usage') }}
    where is_user
),

aggregated as (
    select
        usage.service_key,
        persons.reference_date,
        {{ cube_level('persons.age_group') }} as age_group,
        {{ cube_level('persons.sex') }} as sex,
        {{ cube_level('persons.heavy_user_group') }} as heavy_user_group,
        count(*) as n_persons
    from usage
    inner join persons on usage.person_key = persons.person_key
    group by usage.service_key, persons.reference_date, cube(persons.age_group, persons.sex, persons.heavy_user_group)
)

select * from (
    {{ suppress_small_cells(
        'aggregated',
        dimensions=['age_group', 'sex', 'heavy_user_group'],
        fixed_dimensions=['reference_date', 'service_key'],
    ) }}
) as protected
