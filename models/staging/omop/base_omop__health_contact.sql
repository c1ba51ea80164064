-- The OMOP visits that are health contacts (outpatient, emergency room, home and telehealth visits, and
-- visits of an unmapped concept), as rows of the raw contract's health_contact: base_health__contacts
-- checks, resolves and stages them like a delivered table. A visit of an unmapped concept carries a
-- service code no catalogue row has, so it is quarantined as unknown_service_code (its emergency flag,
-- which the concept would give, reads false only to let that reason be the one reported).
select
    visit_occurrence_id as contact_id,
    person_id,
    visit_start as contact_start,
    service_code,
    contact_type_code,
    professional_group_code,
    professional_id,
    unit_id,
    cost_eur,
    loaded_at,
    case when is_unmapped then coalesce(is_emergency, false) else is_emergency end as is_emergency
from {{ ref('base_omop__visits') }}
where record_table = 'health_contact'
