-- Segmentation step 2, Kaiser Permanente triangle: the heavy-use step plus the person's chronic groups
-- of the 24-month window and the tier (macro kaiser_tier; acute use = an unplanned admission in the
-- window or an emergency user). Rules: docs/segmentation-rules.md, "Kaiser triangle".
with

heavy_use as (
    select * from {{ ref('int_person_heavy_use') }}
),

chronic as (
    select * from {{ ref('int_person_chronic_conditions') }}
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

counted as (
    select
        heavy_use.*,
        chronic_facts.chronic_groups,
        coalesce(chronic_facts.n_chronic, 0) as n_chronic,
        coalesce(chronic_facts.has_limiting_condition, false) as has_limiting_condition
    from heavy_use
    left join chronic_facts on heavy_use.person_key = chronic_facts.person_key
)

select
    counted.person_key,
    counted.reference_date,
    counted.age,
    counted.sex_code,
    counted.municipality_code,
    counted.non_disclosure,
    counted.n_unplanned_admissions,
    counted.n_income_support_months,
    counted.has_demanding_oral_procedure,
    counted.has_open_care_plan,
    counted.has_overdue_plan_review,
    counted.has_responsible_professional,
    counted.n_health_services,
    counted.n_social_services,
    counted.n_social_service_tasks,
    counted.is_health_top_decile,
    counted.is_emergency_user,
    counted.uses_limiting_social_service,
    counted.fires_health_top_decile,
    counted.fires_demanding_oral,
    counted.fires_social_services,
    counted.fires_social_service_tasks,
    counted.is_heavy_user,
    counted.heavy_user_reasons,
    counted.chronic_groups,
    counted.n_chronic,
    counted.has_limiting_condition,
    {{ kaiser_tier('counted.n_chronic', '(counted.n_unplanned_admissions > 0 or counted.is_emergency_user)') }}
        as kaiser_tier
from counted
