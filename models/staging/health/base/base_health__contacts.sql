-- Every delivered outpatient contact, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['contact_id']) }}
with

source as (
    select * from {{ raw_source('health', 'health_contact') }}
    {{ only_new_deliveries('health', 'health_contact') }}
),

renamed as (
    select
        -- ids
        trim(cast(contact_id as {{ dbt.type_string() }})) as contact_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,
        trim(cast(professional_id as {{ dbt.type_string() }})) as professional_id,
        trim(cast(unit_id as {{ dbt.type_string() }})) as unit_id,

        -- codes
        upper(trim(cast(service_code as {{ dbt.type_string() }}))) as service_code,
        upper(trim(cast(contact_type_code as {{ dbt.type_string() }}))) as contact_type_code,
        upper(trim(cast(professional_group_code as {{ dbt.type_string() }}))) as professional_group_code,
        {{ to_boolean('is_emergency') }} as is_emergency,

        -- dates
        {{ safe_cast('contact_start', 'timestamp') }} as contact_start,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- amounts
        {{ safe_cast('cost_eur', 'double') }} as cost_eur,

        -- audit
        trim(cast(contact_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('health', 'health_contact') }} as unconverted_column,
        {{ raw_row_audit_columns('health', 'health_contact') }}
    from source
),

resolved as (
    {{ resolve_person_id('renamed') }}
),

checked as (
    select
        resolved.*,
        services.service_key,
        {{ row_checks([
            ["contact_id is null or contact_start is null or loaded_at is null", "invalid_value"],
            ["is_emergency is null", "invalid_value", "is_emergency"],
            ["cost_eur < 0", "invalid_value", "cost_eur"],
            ["person_check"],
            ["services.service_key is null", "unknown_service_code"],
            ["contact_start > loaded_at", "future_date"],
        ]) }}
    from resolved
    left join {{ ref('service_code_map') }} as services
        on services.source_table = 'health_contact' and resolved.service_code = services.source_code
)

{{ deduplicate_deliveries('checked', ['contact_id'], 'health', 'health_contact') }}
