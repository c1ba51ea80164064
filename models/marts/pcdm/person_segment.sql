-- One row per person in scope: the segmentation result of the rule set `rule_version`: service
-- counts, heavy-user flag and the criteria that fired, chronic groups, Kaiser tier, customer segment,
-- window cost and cost top decile, key customer and care gap. Rules: docs/segmentation-rules.md.
with

segments as (
    select * from {{ ref('int_person_segments') }}
),

persons_with_gaps as (
    select distinct person_key from {{ ref('int_person_care_gaps') }}
)

select
    segments.person_key,
    segments.reference_date,
    '{{ var("rule_version") }}' as rule_version,
    {{ age_group('segments.age') }} as age_group,
    {{ sex_label('segments.sex_code') }} as sex,
    {{ shown_municipality('segments.non_disclosure', 'segments.municipality_code') }} as municipality_code,
    segments.n_health_services,
    segments.n_social_services,
    segments.n_social_service_tasks,
    segments.is_heavy_user,
    segments.heavy_user_reasons,
    segments.n_chronic,
    segments.chronic_groups,
    segments.kaiser_tier,
    segments.has_high_service_need,
    segments.has_limited_capacity,
    segments.customer_segment,
    segments.window_cost_eur,
    segments.is_cost_top_decile,
    segments.is_key_customer,
    persons_with_gaps.person_key is not null as has_care_gap
from segments
left join persons_with_gaps on segments.person_key = persons_with_gaps.person_key
