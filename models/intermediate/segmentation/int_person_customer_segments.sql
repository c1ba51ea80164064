-- Segmentation step 3, customer segment: the Kaiser step plus high service need (a heavy user, or
-- tier >= var high_need_min_kaiser_tier), limited self-management capacity, and the segment of
-- seeds/customer_segment_matrix.csv. Rules: docs/segmentation-rules.md, "Customer segment".
with

tiers as (
    select * from {{ ref('int_person_kaiser_tiers') }}
),

segment_matrix as (
    select * from {{ ref('customer_segment_matrix') }}
),

needs as (
    select
        tiers.*,
        (tiers.is_heavy_user or tiers.kaiser_tier >= {{ var('high_need_min_kaiser_tier') }}) as has_high_service_need,
        (
            tiers.has_limiting_condition or tiers.uses_limiting_social_service
            or tiers.n_income_support_months >= {{ var('limited_capacity_min_income_support_months') }}
        ) as has_limited_capacity
    from tiers
)

select
    needs.person_key,
    needs.reference_date,
    needs.age,
    needs.sex_code,
    needs.municipality_code,
    needs.non_disclosure,
    needs.n_unplanned_admissions,
    needs.n_income_support_months,
    needs.has_demanding_oral_procedure,
    needs.has_open_care_plan,
    needs.has_overdue_plan_review,
    needs.has_responsible_professional,
    needs.n_health_services,
    needs.n_social_services,
    needs.n_social_service_tasks,
    needs.is_health_top_decile,
    needs.is_emergency_user,
    needs.uses_limiting_social_service,
    needs.fires_health_top_decile,
    needs.fires_demanding_oral,
    needs.fires_social_services,
    needs.fires_social_service_tasks,
    needs.is_heavy_user,
    needs.heavy_user_reasons,
    needs.chronic_groups,
    needs.n_chronic,
    needs.has_limiting_condition,
    needs.kaiser_tier,
    needs.has_high_service_need,
    needs.has_limited_capacity,
    segment_matrix.customer_segment
from needs
inner join segment_matrix
    on
        needs.has_high_service_need = segment_matrix.has_high_service_need
        and needs.has_limited_capacity = segment_matrix.has_limited_capacity
