-- The cost concentration curve ("10 % of residents carry 80 % of costs"): persons in scope ranked by
-- window cost, highest first (ties broken by person_key), cut into population percentiles 1..100
-- (ceil(rank * 100 / N)); per percentile its persons, their window cost and the cumulative share of the
-- total window cost carried by percentiles 1..p. Each age band and `all` is ranked on its own, so age_group
-- is not additive here, and each percentile's count follows from the size of its age group. A percentile holds fewer than min_cell_size persons only when its age group
-- has fewer than 100 * min_cell_size persons; then the whole curve of that age group is withheld,
-- because a suppressed percentile's cost could be recovered from its neighbours' cumulative shares.
with

persons as (
    select * from {{ ref('int_bi_persons') }}
),

age_levels as (
    select
        person_key,
        reference_date,
        age_group,
        coalesce(window_cost_eur, 0) as window_cost_eur
    from persons

    union all

    select
        person_key,
        reference_date,
        'all' as age_group,
        coalesce(window_cost_eur, 0) as window_cost_eur
    from persons
),

ranked as (
    select
        reference_date,
        age_group,
        window_cost_eur,
        row_number() over (
            partition by reference_date, age_group order by window_cost_eur desc, person_key asc
        ) as cost_rank,
        count(*) over (partition by reference_date, age_group) as n_in_age_group
    from age_levels
),

ranked_percentiles as (
    select
        reference_date,
        age_group,
        window_cost_eur,
        cast(ceil(cost_rank * 100.0 / n_in_age_group) as integer) as population_percentile
    from ranked
),

percentiles as (
    select
        reference_date,
        age_group,
        population_percentile,
        {{ exact_sum('window_cost_eur') }} as window_cost_eur,
        count(*) as n_persons
    from ranked_percentiles
    group by reference_date, age_group, population_percentile
),

aggregated as (
    select
        reference_date,
        age_group,
        population_percentile,
        n_persons,
        window_cost_eur,
        cast(
            sum(window_cost_eur)
                over (
                    partition by reference_date, age_group
                    order by population_percentile
                    rows between unbounded preceding and current row
                )
            / nullif(sum(window_cost_eur) over (partition by reference_date, age_group), 0)
            as {{ type_double() }}
        ) as cumulative_cost_share
    from percentiles
),

curves as (
    select
        *,
        max(case when n_persons < {{ var('min_cell_size') }} then 1 else 0 end)
            over (partition by reference_date, age_group) as is_curve_withheld
    from aggregated
)

select
    reference_date,
    age_group,
    population_percentile,
    case when is_curve_withheld = 1 then null else n_persons end as n_persons,
    case when is_curve_withheld = 1 then null else window_cost_eur end as window_cost_eur,
    case when is_curve_withheld = 1 then null else cumulative_cost_share end as cumulative_cost_share,
    is_curve_withheld = 1 as is_suppressed
from curves
