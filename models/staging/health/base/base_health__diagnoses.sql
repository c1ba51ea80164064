-- Every delivered diagnosis, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['diagnosis_id']) }}
with

source as (
    select * from {{ raw_source('health', 'health_diagnosis') }}
    {{ only_new_deliveries('health', 'health_diagnosis') }}
),

renamed as (
    select
        -- ids
        trim(cast(diagnosis_id as {{ dbt.type_string() }})) as diagnosis_id,
        lower(trim(cast(record_type as {{ dbt.type_string() }}))) as record_type,
        trim(cast(record_id as {{ dbt.type_string() }})) as record_id,

        -- codes: ICD-10 as delivered (E11.9) and compact (E119) for prefix matching
        upper(trim(cast(code as {{ dbt.type_string() }}))) as diagnosis_code,
        replace(upper(trim(cast(code as {{ dbt.type_string() }}))), '.', '') as diagnosis_code_compact,
        upper(trim(cast(code_system as {{ dbt.type_string() }}))) as code_system,
        {{ safe_cast('rank', 'integer') }} as diagnosis_rank,

        -- dates
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- audit
        trim(cast(diagnosis_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('health', 'health_diagnosis') }} as unconverted_column,
        {{ raw_row_audit_columns('health', 'health_diagnosis') }}
    from source
),

records as (
    select
        'contact' as record_type,
        contact_id as record_id
    from {{ ref('stg_health__contacts') }}
    union all
    select
        'episode' as record_type,
        episode_id as record_id
    from {{ ref('stg_health__episodes') }}
),

checked as (
    select
        renamed.*,
        {{ row_checks([
            ["renamed.diagnosis_id is null or renamed.diagnosis_code is null or renamed.loaded_at is null", "invalid_value"],
            ["renamed.code_system = 'OMOP'", "unmapped_concept"],
            [not_one_of('renamed.record_type', ['contact', 'episode']) ~ " or "
                ~ not_one_of('renamed.code_system', ['ICD-10', 'ICPC-2']), "invalid_value"],
            ["records.record_id is null", "orphan_record"],
        ]) }}
    from renamed
    left join records
        on renamed.record_type = records.record_type and renamed.record_id = records.record_id
)

{{ deduplicate_deliveries('checked', ['diagnosis_id'], 'health', 'health_diagnosis') }}
