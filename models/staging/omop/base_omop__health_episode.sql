-- The OMOP visits that are inpatient stays (inpatient, emergency room and inpatient), as rows of the raw
-- contract's health_episode: the specialty code is the visit's service code (base_omop__visits), the
-- admission type and care level come from the visit concept. A visit_end_date on or after the extract
-- date is an ongoing stay (the CDM convention sets it to the date of the data pull): discharge null.
select
    visit_occurrence_id as episode_id,
    person_id,
    visit_start_date as admission_date,
    service_code as specialty_code,
    unit_id,
    admission_type,
    care_level,
    cost_eur,
    loaded_at,
    case when visit_end_date < cast(loaded_at as date) then visit_end_date end as discharge_date
from {{ ref('base_omop__visits') }}
where record_table = 'health_episode'
