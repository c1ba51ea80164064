-- OMOP condition occurrences as rows of the raw contract's health_diagnosis, on the contact or episode
-- of their visit (a condition without a staged visit is quarantined as orphan_record). The code is the
-- condition_source_value when the vocabulary of its source concept (the delivered concept table, else
-- the var omop_condition_source_vocabulary) is in seeds/omop/omop_vocabularies.csv (ICD10, ICD10fi,
-- ICPC2, ...); else the ICD-10 code seeds/omop/omop_condition_concepts.csv gives the standard concept
-- (e.g. SNOMED of a Synthea instance); else code system 'OMOP', quarantined as unmapped_concept.
-- Rank: 1 for a primary, 2 for a secondary diagnosis by condition status (seeds/omop/omop_concept_codes.csv).
with

conditions as (
    select
        {{ omop_text('condition_occurrence_id') }} as condition_occurrence_id,
        {{ omop_text('visit_occurrence_id') }} as visit_occurrence_id,
        {{ omop_text('condition_concept_id') }} as condition_concept_id,
        {{ omop_text('condition_source_concept_id') }} as condition_source_concept_id,
        upper({{ omop_text('condition_source_value') }}) as condition_source_value,
        {{ omop_text('condition_status_concept_id') }} as condition_status_concept_id
    from {{ omop_table('condition_occurrence') }}
),

concepts as (
    select
        {{ omop_text('concept_id') }} as concept_id,
        {{ omop_text('vocabulary_id') }} as vocabulary_id
    from {{ omop_table('concept') }}
),

visits as (
    select
        visit_occurrence_id,
        record_table
    from {{ ref('base_omop__visits') }}
),

vocabularies as (
    select * from {{ ref('omop_vocabularies') }}
),

condition_concepts as (
    select * from {{ ref('omop_condition_concepts') }}
),

status_codes as (
    select * from {{ ref('omop_concept_codes') }}
    where concept_domain = 'condition_status'
),

coded as (
    select
        conditions.*,
        coalesce(
            concepts.vocabulary_id,
            {{ "'" ~ var('omop_condition_source_vocabulary') ~ "'" if var('omop_condition_source_vocabulary', none) else 'null' }}
        ) as source_vocabulary_id
    from conditions
    left join concepts on conditions.condition_source_concept_id = concepts.concept_id
)

select
    coded.condition_occurrence_id as diagnosis_id,
    case when visits.record_table = 'health_episode' then 'episode' else 'contact' end as record_type,
    coded.visit_occurrence_id as record_id,
    case
        when vocabularies.code_system is not null and coded.condition_source_value is not null
            then coded.condition_source_value
        when condition_concepts.code is not null then condition_concepts.code
        else 'concept ' || coalesce(coded.condition_concept_id, '') || ' / ' || coalesce(coded.condition_source_value, '')
    end as code,
    case
        when vocabularies.code_system is not null and coded.condition_source_value is not null
            then vocabularies.code_system
        when condition_concepts.code is not null then condition_concepts.code_system
        else 'OMOP'
    end as code_system,
    status_codes.pcdm_code as rank,
    {{ omop_extract_time() }} as loaded_at
from coded
left join visits on coded.visit_occurrence_id = visits.visit_occurrence_id
left join vocabularies on coded.source_vocabulary_id = vocabularies.vocabulary_id
left join condition_concepts on coded.condition_concept_id = condition_concepts.condition_concept_id
left join status_codes on coded.condition_status_concept_id = status_codes.concept_id
