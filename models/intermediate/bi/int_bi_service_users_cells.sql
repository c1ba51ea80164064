-- The cells of bi_service_users (true counts, not published; the mart publishes them through the disclosure
-- control, docs/privacy.md).
-- Overview of the Soite multi-service report: which services do heavy users use? Users of each
-- harmonised service in the 12-month window, for every combination of age group, sex and heavy-user
-- group (`all` a level of each).
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
        usage.domain as service_domain,
        persons.reference_date,
        {{ cube_level('persons.age_group') }} as age_group,
        {{ cube_level('persons.sex') }} as sex,
        {{ cube_level('persons.heavy_user_group') }} as heavy_user_group,
        count(*) as n_persons
    from usage
    inner join persons on usage.person_key = persons.person_key
    group by usage.service_key, usage.domain, persons.reference_date, cube(persons.age_group, persons.sex, persons.heavy_user_group)
),

-- Every combination of the levels, 0 where nobody is in it (macros/privacy/dense_grid.sql).
dense as (
    {{ dense_grid(
        'aggregated',
        cube=['age_group', 'sex', 'heavy_user_group'],
        fixed=['reference_date', 'service_key', 'service_domain'],
        counts=['n_persons'],
    ) }}
)

select
    {{ bi_cell_id(['service_key', 'age_group', 'sex', 'heavy_user_group']) }} as cell_id,
    reference_date,
    service_key,
    service_domain,
    age_group,
    sex,
    heavy_user_group,
    n_persons
from dense
