-- OMOP procedure occurrences as rows of the raw contract's health_procedure, on the contact of their
-- visit (a procedure without a staged contact, or on an inpatient stay, is quarantined as orphan_record).
-- The code is the procedure code seeds/omop/omop_procedure_concepts.csv gives the standard concept, else
-- the procedure_source_value (e.g. a THL oral health code SAA01, matched by seeds/oral_procedure_codes.csv);
-- the code system is the vocabulary of the source concept in the delivered concept table, else 'OMOP'.
with

procedures as (
    select
        {{ omop_text('procedure_occurrence_id') }} as procedure_occurrence_id,
        {{ omop_text('visit_occurrence_id') }} as visit_occurrence_id,
        {{ omop_text('procedure_concept_id') }} as procedure_concept_id,
        {{ omop_text('procedure_source_concept_id') }} as procedure_source_concept_id,
        upper({{ omop_text('procedure_source_value') }}) as procedure_source_value
    from {{ omop_table('procedure_occurrence') }}
),

concepts as (
    select
        {{ omop_text('concept_id') }} as concept_id,
        {{ omop_text('vocabulary_id') }} as vocabulary_id
    from {{ omop_table('concept') }}
),

procedure_concepts as (
    select * from {{ ref('omop_procedure_concepts') }}
)

select
    procedures.procedure_occurrence_id as procedure_id,
    procedures.visit_occurrence_id as contact_id,
    coalesce(procedure_concepts.procedure_code, procedures.procedure_source_value) as code,
    coalesce(concepts.vocabulary_id, 'OMOP') as code_system,
    {{ omop_extract_time() }} as loaded_at
from procedures
left join concepts on procedures.procedure_source_concept_id = concepts.concept_id
left join procedure_concepts on procedures.procedure_concept_id = procedure_concepts.procedure_concept_id
