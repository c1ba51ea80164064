-- Every delivered procedure, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['procedure_id']) }}
with

source as (
    select * from {{ raw_source('health', 'health_procedure') }}
    {{ only_new_deliveries('health', 'health_procedure') }}
),

renamed as (
    select
        -- ids
        trim(cast(procedure_id as {{ dbt.type_string() }})) as procedure_id,
        trim(cast(contact_id as {{ dbt.type_string() }})) as contact_id,

        -- codes
        upper(trim(cast(code as {{ dbt.type_string() }}))) as procedure_code,
        upper(trim(cast(code_system as {{ dbt.type_string() }}))) as code_system,

        -- dates
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- audit
        trim(cast(procedure_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('health', 'health_procedure') }} as unconverted_column,
        {{ raw_row_audit_columns('health', 'health_procedure') }}
    from source
),

checked as (
    select
        renamed.*,
        {{ row_checks([
            ["renamed.procedure_id is null or renamed.procedure_code is null or renamed.loaded_at is null", "invalid_value"],
            ["contacts.contact_id is null", "orphan_record"],
        ]) }}
    from renamed
    left join {{ ref('stg_health__contacts') }} as contacts
        on renamed.contact_id = contacts.contact_id
)

{{ deduplicate_deliveries('checked', ['procedure_id'], 'health', 'health_procedure') }}
