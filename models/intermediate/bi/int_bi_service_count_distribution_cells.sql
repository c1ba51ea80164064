-- The cells of bi_service_count_distribution (true counts, not published; the mart publishes them through the disclosure
-- control, docs/privacy.md).
-- Customer view of the Soite multi-service report: how many different health and social services does
-- a customer use? Persons in scope by the number of harmonised health services and of social services
-- used in the 12-month window (banded '0' ... '4', '5+'), for every combination of age group, sex,
-- heavy-user group and the two service counts (`all` a level of each).
with

persons as (
    select * from {{ ref('int_bi_persons') }}
),

aggregated as (
    select
        reference_date,
        {{ cube_level('age_group') }} as age_group,
        {{ cube_level('sex') }} as sex,
        {{ cube_level('heavy_user_group') }} as heavy_user_group,
        {{ cube_level('n_health_services') }} as n_health_services,
        {{ cube_level('n_social_services') }} as n_social_services,
        count(*) as n_persons
    from persons
    group by reference_date, cube(age_group, sex, heavy_user_group, n_health_services, n_social_services)
),

-- Every combination of the levels, 0 where nobody is in it (macros/privacy/dense_grid.sql).
dense as (
    {{ dense_grid(
        'aggregated',
        cube=['age_group', 'sex', 'heavy_user_group', 'n_health_services', 'n_social_services'],
        fixed=['reference_date'],
        counts=['n_persons'],
    ) }}
)

select
    {{ bi_cell_id(['age_group', 'sex', 'heavy_user_group', 'n_health_services', 'n_social_services']) }} as cell_id,
    reference_date,
    age_group,
    sex,
    heavy_user_group,
    n_health_services,
    n_social_services,
    n_persons
from dense
