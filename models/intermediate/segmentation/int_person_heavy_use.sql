-- Segmentation step 1, heavy use (Soite model): one row per person in scope with the facts the later
-- steps need (service counts, emergency use, indicators of int_person_indicators), the four heavy-user
-- criteria, whether any fired and which. Rules: docs/segmentation-rules.md, "Heavy service user".
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

indicators as (
    select * from {{ ref('int_person_indicators') }}
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

facts as (
    select
        persons.person_key,
        reference_period.reference_date,
        persons.age,
        persons.sex_code,
        persons.municipality_code,
        persons.non_disclosure,
        indicators.n_unplanned_admissions,
        indicators.n_income_support_months,
        indicators.has_demanding_oral_procedure,
        indicators.has_open_care_plan,
        indicators.has_overdue_plan_review,
        indicators.has_responsible_professional,
        coalesce(usage_facts.n_health_services, 0) as n_health_services,
        coalesce(usage_facts.n_social_services, 0) as n_social_services,
        coalesce(decision_tasks.n_social_service_tasks, 0) as n_social_service_tasks,
        coalesce(usage_facts.is_health_top_decile, false) as is_health_top_decile,
        coalesce(usage_facts.is_emergency_user, false) as is_emergency_user,
        coalesce(usage_facts.uses_limiting_social_service, false) as uses_limiting_social_service
    from persons
    cross join reference_period
    left join usage_facts on persons.person_key = usage_facts.person_key
    left join decision_tasks on persons.person_key = decision_tasks.person_key
    left join indicators on persons.person_key = indicators.person_key
),

criteria as (
    select
        facts.*,
        facts.is_health_top_decile as fires_health_top_decile,
        {{ 'facts.has_demanding_oral_procedure' if var('heavy_user_demanding_oral') else 'false' }}
            as fires_demanding_oral,
        facts.n_social_services >= {{ var('heavy_user_min_social_services') }} as fires_social_services,
        facts.n_social_service_tasks >= {{ var('heavy_user_min_social_service_tasks') }} as fires_social_service_tasks
    from facts
)

select
    criteria.*,
    (
        criteria.fires_health_top_decile or criteria.fires_social_services
        or criteria.fires_social_service_tasks or criteria.fires_demanding_oral
    ) as is_heavy_user,
    nullif(concat_ws(
        ',',
        case when criteria.fires_health_top_decile then 'health_top_decile' end,
        case when criteria.fires_social_services then 'social_services' end,
        case when criteria.fires_social_service_tasks then 'social_service_tasks' end,
        case when criteria.fires_demanding_oral then 'demanding_oral_procedure' end
    ), '') as heavy_user_reasons
from criteria
