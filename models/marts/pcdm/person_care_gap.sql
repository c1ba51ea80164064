-- One row per care gap of a person in scope, with its reason and priority: the CRM worklist prompts
-- of the highest-risk customers not yet in effective services (rules: int_person_care_gaps).
select
    person_key,
    reference_date,
    '{{ var("rule_version") }}' as rule_version,
    gap_reason,
    kaiser_tier,
    customer_segment,
    is_key_customer,
    priority
from {{ ref('int_person_care_gaps') }}
