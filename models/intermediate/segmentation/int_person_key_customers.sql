-- Segmentation step 4, key customers: the segment step plus the health and social cost of the window,
-- the cost top decile (strictly above the percentile var cost_top_percentile over everyone in scope,
-- no cost counted as 0) and key customer (cost top decile, or a segment of var key_customer_segments).
-- Rules: docs/segmentation-rules.md, "Cost and key customers".
with

segments as (
    select * from {{ ref('int_person_customer_segments') }}
),

events as (
    select * from {{ ref('int_service_events_in_window') }}
),

costs as (
    select
        person_key,
        {{ exact_sum('window_cost_eur') }} as window_cost_eur
    from events
    where domain in ('health', 'social')
    group by person_key
),

costed as (
    select
        segments.*,
        cast({{ round_to('coalesce(costs.window_cost_eur, 0)', 2) }} as {{ type_double() }}) as window_cost_eur
    from segments
    left join costs on segments.person_key = costs.person_key
),

cost_limit as (
    select {{ percentile_cont('window_cost_eur', var('cost_top_percentile')) }} as cost_top_limit
    from costed
)

select
    costed.person_key,
    costed.reference_date,
    costed.age,
    costed.sex_code,
    costed.municipality_code,
    costed.non_disclosure,
    costed.n_unplanned_admissions,
    costed.n_income_support_months,
    costed.has_demanding_oral_procedure,
    costed.has_open_care_plan,
    costed.has_overdue_plan_review,
    costed.has_responsible_professional,
    costed.n_health_services,
    costed.n_social_services,
    costed.n_social_service_tasks,
    costed.is_health_top_decile,
    costed.is_emergency_user,
    costed.uses_limiting_social_service,
    costed.fires_health_top_decile,
    costed.fires_demanding_oral,
    costed.fires_social_services,
    costed.fires_social_service_tasks,
    costed.is_heavy_user,
    costed.heavy_user_reasons,
    costed.chronic_groups,
    costed.n_chronic,
    costed.has_limiting_condition,
    costed.kaiser_tier,
    costed.has_high_service_need,
    costed.has_limited_capacity,
    costed.customer_segment,
    costed.window_cost_eur,
    costed.window_cost_eur > cost_limit.cost_top_limit as is_cost_top_decile,
    (
        costed.window_cost_eur > cost_limit.cost_top_limit
        or costed.customer_segment in ('{{ var("key_customer_segments") | join("', '") }}')
    ) as is_key_customer
from costed
cross join cost_limit
