-- Every OMOP visit, classified by its visit concept (seeds/omop/omop_visit_concepts.csv) as a health
-- contact or an inpatient episode of the raw contract, with its service code: the visit_source_value
-- when it is a code of seeds/service_code_map.csv for that table (the county's own code), else the code
-- seeds/omop/omop_visit_services.csv gives the visit concept and the provider's specialty (or the visit
-- concept with any specialty), else a code naming the concept, specialty and source value, which the
-- contact is quarantined for as unknown_service_code (as is a visit whose concept is not in the seed).
-- Professional: the provider (provider_source_value, else provider_id); unit: the care site
-- (care_site_source_value, else care_site_id); cost: the sum of total_cost of the visit's cost rows.
with

visits as (
    select * from {{ omop_table('visit_occurrence') }}
),

persons as (
    select
        omop_person_id,
        person_id
    from {{ ref('base_omop__population_person') }}
),

providers as (
    select
        {{ omop_text('provider_id') }} as provider_id,
        {{ omop_text('specialty_concept_id') }} as specialty_concept_id,
        {{ omop_text('provider_source_value') }} as provider_source_value,
        upper({{ omop_text('specialty_source_value') }}) as specialty_source_value
    from {{ omop_table('provider') }}
),

care_sites as (
    select
        {{ omop_text('care_site_id') }} as care_site_id,
        {{ omop_text('care_site_source_value') }} as care_site_source_value
    from {{ omop_table('care_site') }}
),

costs as (
    select
        {{ omop_text('cost_event_id') }} as visit_occurrence_id,
        sum({{ safe_cast(omop_text('total_cost'), 'double') }}) as total_cost
    from {{ omop_table('cost') }}
    where {{ omop_text('cost_domain_id') }} = 'Visit'
    group by {{ omop_text('cost_event_id') }}
),

visit_concepts as (
    select * from {{ ref('omop_visit_concepts') }}
),

visit_services as (
    select * from {{ ref('omop_visit_services') }}
),

service_codes as (
    select * from {{ ref('service_code_map') }}
),

typed as (
    select
        {{ omop_text('visit_occurrence_id') }} as visit_occurrence_id,
        {{ omop_text('person_id') }} as omop_person_id,
        {{ omop_text('visit_concept_id') }} as visit_concept_id,
        coalesce(
            {{ safe_cast(omop_text('visit_start_datetime'), 'timestamp') }},
            cast({{ safe_cast(omop_text('visit_start_date'), 'date') }} as timestamp)
        ) as visit_start,
        {{ safe_cast(omop_text('visit_start_date'), 'date') }} as visit_start_date,
        {{ safe_cast(omop_text('visit_end_date'), 'date') }} as visit_end_date,
        upper({{ omop_text('visit_source_value') }}) as visit_source_value,
        {{ omop_text('provider_id') }} as provider_id,
        {{ omop_text('care_site_id') }} as care_site_id
    from visits
),

classified as (
    select
        typed.*,
        visit_concepts.contact_type_code,
        visit_concepts.is_emergency,
        visit_concepts.admission_type,
        visit_concepts.care_level,
        providers.specialty_concept_id,
        providers.specialty_source_value as professional_group_code,
        costs.total_cost as cost_eur,
        coalesce(visit_concepts.record_table, 'health_contact') as record_table,
        case
            when visit_concepts.visit_concept_id is null then null
            when own_codes.source_code is not null then typed.visit_source_value
            else coalesce(by_specialty.service_code, by_concept.service_code)
        end as mapped_service_code,
        coalesce(providers.provider_source_value, typed.provider_id) as professional_id,
        coalesce(care_sites.care_site_source_value, typed.care_site_id) as unit_id,
        -- a visit whose person is not in the person table keeps its OMOP person_id, so that it is
        -- quarantined (orphan_person for pseudonyms keyed by person_id, else invalid_person_id)
        coalesce(persons.person_id, typed.omop_person_id) as person_id
    from typed
    left join visit_concepts on typed.visit_concept_id = visit_concepts.visit_concept_id
    left join providers on typed.provider_id = providers.provider_id
    left join service_codes as own_codes
        on
            visit_concepts.record_table = own_codes.source_table
            and typed.visit_source_value = own_codes.source_code
    left join visit_services as by_specialty
        on
            typed.visit_concept_id = by_specialty.visit_concept_id
            and providers.specialty_concept_id = by_specialty.specialty_concept_id
    left join visit_services as by_concept
        on
            typed.visit_concept_id = by_concept.visit_concept_id
            and by_concept.specialty_concept_id is null
    left join care_sites on typed.care_site_id = care_sites.care_site_id
    left join costs on typed.visit_occurrence_id = costs.visit_occurrence_id
    left join persons on typed.omop_person_id = persons.omop_person_id
)

select
    visit_occurrence_id,
    omop_person_id,
    person_id,
    visit_concept_id,
    record_table,
    visit_start,
    visit_start_date,
    visit_end_date,
    contact_type_code,
    is_emergency,
    admission_type,
    care_level,
    coalesce(
        mapped_service_code,
        'OMOP:' || coalesce(visit_concept_id, '') || '/' || coalesce(specialty_concept_id, '') || '/'
        || coalesce(visit_source_value, '')
    ) as service_code,
    mapped_service_code is null as is_unmapped,
    professional_id,
    professional_group_code,
    unit_id,
    cost_eur,
    {{ omop_extract_time() }} as loaded_at
from classified
