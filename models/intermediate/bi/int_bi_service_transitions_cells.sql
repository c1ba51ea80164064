-- The cells of bi_service_transitions (true counts, not published; the mart publishes them through the disclosure
-- control, docs/privacy.md).
-- Service paths (palvelupolut) for a Power BI flow: persons in scope who moved from one harmonised
-- health or social service to another in the 12-month window - the next distinct service began no
-- more than var transition_max_days days after the last event of the previous one - by age group
-- and customer segment (`all` a level of each).
with

events as (
    select * from {{ ref('fct_service_event') }}
),

persons as (
    select * from {{ ref('int_bi_persons') }}
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

service_days as (
    select distinct
        events.person_key,
        events.event_date,
        events.service_key
    from events
    inner join persons on events.person_key = persons.person_key
    cross join reference_period
    where
        events.domain in ('health', 'social')
        and {{ in_window('events.event_date') }}
),

-- A run is a stretch of consecutive events of one service; events of one day are ordered by service.
run_starts as (
    select
        person_key,
        event_date,
        service_key,
        case
            when service_key = lag(service_key) over (partition by person_key order by event_date, service_key)
                then 0
            else 1
        end as is_run_start
    from service_days
),

runs_numbered as (
    select
        person_key,
        event_date,
        service_key,
        sum(is_run_start) over (
            partition by person_key order by event_date, service_key rows unbounded preceding
        ) as run_number
    from run_starts
),

runs as (
    select
        person_key,
        run_number,
        service_key,
        min(event_date) as run_start_date,
        max(event_date) as run_end_date
    from runs_numbered
    group by person_key, run_number, service_key
),

next_runs as (
    select
        person_key,
        service_key as from_service_key,
        run_end_date,
        lead(service_key) over (partition by person_key order by run_number) as to_service_key,
        lead(run_start_date) over (partition by person_key order by run_number) as next_start_date
    from runs
),

person_transitions as (
    select distinct
        person_key,
        from_service_key,
        to_service_key
    from next_runs
    where
        to_service_key is not null
        and {{ dbt.datediff('run_end_date', 'next_start_date', 'day') }} <= {{ var('transition_max_days') }}
),

aggregated as (
    select
        persons.reference_date,
        person_transitions.from_service_key,
        person_transitions.to_service_key,
        {{ cube_level('persons.age_group') }} as age_group,
        {{ cube_level('persons.customer_segment') }} as customer_segment,
        count(*) as n_persons
    from person_transitions
    inner join persons on person_transitions.person_key = persons.person_key
    group by
        persons.reference_date,
        person_transitions.from_service_key,
        person_transitions.to_service_key,
        cube(persons.age_group, persons.customer_segment)
),

-- Every combination of the levels, 0 where nobody is in it (macros/privacy/dense_grid.sql).
dense as (
    {{ dense_grid(
        'aggregated',
        cube=['age_group', 'customer_segment'],
        fixed=['reference_date', 'from_service_key', 'to_service_key'],
        counts=['n_persons'],
    ) }}
)

select
    {{ bi_cell_id(['from_service_key', 'to_service_key', 'age_group', 'customer_segment']) }} as cell_id,
    reference_date,
    from_service_key,
    to_service_key,
    age_group,
    customer_segment,
    n_persons
from dense
