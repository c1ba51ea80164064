-- The cells of bi_service_cooccurrence (true counts, not published; the mart publishes them through the disclosure
-- control, docs/privacy.md).
-- Service view of the Soite multi-service report: what else do the customers of one service use?
-- For every ordered pair of different harmonised services, the persons in scope who are users of both
-- in the 12-month window (int_person_service_usage.is_user), for every combination of age group and
-- sex .
with

persons as (
    select * from {{ ref('int_bi_persons') }}
),

usage as (
    select * from {{ ref('int_person_service_usage') }}
    where is_user
),

pairs as (
    select
        usage.person_key,
        usage.service_key,
        other_usage.service_key as other_service_key
    from usage
    inner join usage as other_usage
        on
            usage.person_key = other_usage.person_key
            and usage.service_key <> other_usage.service_key
),

aggregated as (
    select
        pairs.service_key,
        pairs.other_service_key,
        persons.reference_date,
        {{ cube_level('persons.age_group') }} as age_group,
        {{ cube_level('persons.sex') }} as sex,
        count(*) as n_persons
    from pairs
    inner join persons on pairs.person_key = persons.person_key
    group by pairs.service_key, pairs.other_service_key, persons.reference_date, cube(persons.age_group, persons.sex)
),

-- Every combination of the levels, 0 where nobody is in it (macros/privacy/dense_grid.sql).
dense as (
    {{ dense_grid(
        'aggregated',
        cube=['age_group', 'sex'],
        fixed=['reference_date', 'service_key', 'other_service_key'],
        counts=['n_persons'],
    ) }}
)

select
    {{ bi_cell_id(['service_key', 'other_service_key', 'age_group', 'sex']) }} as cell_id,
    reference_date,
    service_key,
    other_service_key,
    age_group,
    sex,
    n_persons
from dense
