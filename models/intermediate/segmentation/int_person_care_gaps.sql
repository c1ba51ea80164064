-- One row per care gap: a person of Kaiser tier >= var care_gap_min_kaiser_tier (default 2), or a key
-- customer, with no open care plan, with an open plan whose next review is before R, or with no
-- responsible professional in force at R. Each gap is a prompt for the responsible unit's worklist.
with

segments as (
    select * from {{ ref('int_person_segments') }}
    where kaiser_tier >= {{ var('care_gap_min_kaiser_tier') }} or is_key_customer
),

gaps as (
    select
        person_key,
        'no_open_care_plan' as gap_reason
    from segments
    where not has_open_care_plan

    union all

    select
        person_key,
        'care_plan_review_overdue' as gap_reason
    from segments
    where has_overdue_plan_review

    union all

    select
        person_key,
        'no_responsible_professional' as gap_reason
    from segments
    where not has_responsible_professional
)

select
    gaps.person_key,
    segments.reference_date,
    gaps.gap_reason,
    segments.kaiser_tier,
    segments.customer_segment,
    segments.is_key_customer,
    case when segments.kaiser_tier = 3 or segments.customer_segment = 'network' then 1 else 2 end as priority
from gaps
inner join segments on gaps.person_key = segments.person_key
