-- One row per person in scope with every segmentation result except care gaps: service counts,
-- heavy-user criteria, chronic groups and Kaiser tier, service need and self-management capacity,
-- customer segment, window cost and cost top decile, key customer. Rules: macros/rules/segmentation.sql,
-- vars of dbt_project.yml and the seeds; explained in docs/segmentation-rules.md.
with

persons as (
    select * from {{ ref('int_persons_in_scope') }}
    where is_in_scope
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

usage as (
    select * from {{ ref('int_person_service_usage') }}
),

services as (
    select * from {{ ref('service_catalogue') }}
),

events as (
    select * from {{ ref('int_service_events_in_window') }}
),

chronic as (
    select * from {{ ref('int_person_chronic_conditions') }}
),

indicators as (
    select * from {{ ref('int_person_indicators') }}
),

segment_matrix as (
    select * from {{ ref('customer_segment_matrix') }}
),

usage_facts as (
    select
        usage.person_key,
        count(case when usage.is_user and usage.domain = 'health' then usage.service_key end) as n_health_services,
        count(case when usage.is_user and usage.domain = 'social' then usage.service_key end) as n_social_services,
        max(case when usage.is_top_decile then 1 else 0 end) = 1 as is_health_top_decile,
        max(case when usage.is_user and usage.service_key = '{{ var("emergency_service_key") }}' then 1 else 0 end)
        = 1 as is_emergency_user,
        max(case when usage.is_user and services.limits_self_care then 1 else 0 end) = 1 as uses_limiting_social_service
    from usage
    inner join services on usage.service_key = services.service_key
    group by usage.person_key
),

decision_tasks as (
    select
        person_key,
        count(distinct service_task_code) as n_social_service_tasks
    from events
    where source_table = 'social_decision'
    group by person_key
),

chronic_facts as (
    select
        person_key,
        count(distinct chronic_group) as n_chronic,
        {{ dbt.listagg('chronic_group', "','", 'order by chronic_group') }} as chronic_groups,
        max(case when limits_self_care then 1 else 0 end) = 1 as has_limiting_condition
    from chronic
    group by person_key
),

costs as (
    select
        person_key,
        {{ exact_sum('window_cost_eur') }} as window_cost_eur
    from events
    where domain in ('health', 'social')
    group by person_key
),

combined as (
    select
        persons.person_key,
        reference_period.reference_date,
        persons.age,
        persons.sex_code,
        persons.municipality_code,
        persons.non_disclosure,
        chronic_facts.chronic_groups,
        indicators.n_unplanned_admissions,
        indicators.n_income_support_months,
        indicators.has_demanding_oral_procedure,
        indicators.has_open_care_plan,
        indicators.has_overdue_plan_review,
        indicators.has_responsible_professional,
        cast({{ round_to('coalesce(costs.window_cost_eur, 0)', 2) }} as {{ type_double() }}) as window_cost_eur,
        coalesce(usage_facts.n_health_services, 0) as n_health_services,
        coalesce(usage_facts.n_social_services, 0) as n_social_services,
        coalesce(decision_tasks.n_social_service_tasks, 0) as n_social_service_tasks,
        coalesce(usage_facts.is_health_top_decile, false) as is_health_top_decile,
        coalesce(usage_facts.is_emergency_user, false) as is_emergency_user,
        coalesce(usage_facts.uses_limiting_social_service, false) as uses_limiting_social_service,
        coalesce(chronic_facts.n_chronic, 0) as n_chronic,
        coalesce(chronic_facts.has_limiting_condition, false) as has_limiting_condition
    from persons
    cross join reference_period
    left join usage_facts on persons.person_key = usage_facts.person_key
    left join decision_tasks on persons.person_key = decision_tasks.person_key
    left join chronic_facts on persons.person_key = chronic_facts.person_key
    left join indicators on persons.person_key = indicators.person_key
    left join costs on persons.person_key = costs.person_key
),

heavy_use as (
    select
        combined.*,
        combined.is_health_top_decile as fires_health_top_decile,
        {{ 'combined.has_demanding_oral_procedure' if var('heavy_user_demanding_oral') else 'false' }}
            as fires_demanding_oral,
        combined.n_social_services >= {{ var('heavy_user_min_social_services') }} as fires_social_services,
        combined.n_social_service_tasks >= {{ var('heavy_user_min_social_service_tasks') }} as fires_social_service_tasks,
        {{ kaiser_tier('combined.n_chronic', '(combined.n_unplanned_admissions > 0 or combined.is_emergency_user)') }}
            as kaiser_tier
    from combined
),

needs as (
    select
        heavy_use.*,
        (
            heavy_use.fires_health_top_decile or heavy_use.fires_social_services
            or heavy_use.fires_social_service_tasks or heavy_use.fires_demanding_oral
        ) as is_heavy_user,
        (
            heavy_use.fires_health_top_decile or heavy_use.fires_social_services
            or heavy_use.fires_social_service_tasks or heavy_use.fires_demanding_oral
            or heavy_use.kaiser_tier >= {{ var('high_need_min_kaiser_tier') }}
        ) as has_high_service_need,
        (
            heavy_use.has_limiting_condition or heavy_use.uses_limiting_social_service
            or heavy_use.n_income_support_months >= {{ var('limited_capacity_min_income_support_months') }}
        ) as has_limited_capacity
    from heavy_use
),

cost_limit as (
    select {{ percentile_cont('window_cost_eur', var('cost_top_percentile')) }} as cost_top_limit
    from needs
)

select
    needs.*,
    segment_matrix.customer_segment,
    nullif(concat_ws(
        ',',
        case when needs.fires_health_top_decile then 'health_top_decile' end,
        case when needs.fires_social_services then 'social_services' end,
        case when needs.fires_social_service_tasks then 'social_service_tasks' end,
        case when needs.fires_demanding_oral then 'demanding_oral_procedure' end
    ), '') as heavy_user_reasons,
    needs.window_cost_eur > cost_limit.cost_top_limit as is_cost_top_decile,
    (
        needs.window_cost_eur > cost_limit.cost_top_limit
        or segment_matrix.customer_segment in ('{{ var("key_customer_segments") | join("', '") }}')
    ) as is_key_customer
from needs
cross join cost_limit
inner join segment_matrix
    on
        needs.has_high_service_need = segment_matrix.has_high_service_need
        and needs.has_limited_capacity = segment_matrix.has_limited_capacity
