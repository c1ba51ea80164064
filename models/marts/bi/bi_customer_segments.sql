-- Customer segments: persons in scope and their window cost by customer segment (service need x
-- self-management capacity: self_reliant, cooperative, community, network), for every combination of
-- age group, sex, municipality and segment (`all` a level of each), small cells suppressed with their
-- money (macros/privacy/suppress_small_cells.sql).
with

persons as (
    select * from {{ ref('int_bi_persons') }}
),

aggregated as (
    select
        reference_date,
        {{ cube_level('age_group') }} as age_group,
        {{ cube_level('sex') }} as sex,
        {{ cube_level('municipality_code') }} as municipality_code,
        {{ cube_level('customer_segment') }} as customer_segment,
        count(*) as n_persons,
        cast(coalesce(sum(window_cost_eur), 0) as double) as window_cost_eur,
        cast(coalesce(sum(window_cost_eur), 0) / count(*) as double) as cost_per_person_eur
    from persons
    group by reference_date, cube(age_group, sex, municipality_code, customer_segment)
)

select * from (
    {{ suppress_small_cells(
        'aggregated',
        dimensions=['age_group', 'sex', 'municipality_code', 'customer_segment'],
        value_columns=['window_cost_eur', 'cost_per_person_eur'],
        fixed_dimensions=['reference_date'],
    ) }}
) as protected
