-- Every delivered social care client work contact, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['contact_id']) }}
with

source as (
    select * from {{ raw_source('social', 'social_contact') }}
    {{ only_new_deliveries('social', 'social_contact') }}
),

renamed as (
    select
        -- ids
        trim(cast(contact_id as {{ dbt.type_string() }})) as contact_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,
        trim(cast(professional_id as {{ dbt.type_string() }})) as professional_id,

        -- codes
        upper(trim(cast(service_task_code as {{ dbt.type_string() }}))) as service_task_code,
        upper(trim(cast(service_code as {{ dbt.type_string() }}))) as service_code,
        lower(trim(cast(contact_type_code as {{ dbt.type_string() }}))) as contact_type_code,

        -- dates
        {{ safe_cast('contact_start', 'timestamp') }} as contact_start,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- amounts
        {{ safe_cast('cost_eur', 'double') }} as cost_eur,

        -- audit
        trim(cast(contact_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('social', 'social_contact') }} as unconverted_column,
        {{ raw_row_audit_columns('social', 'social_contact') }}
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
            ["resolved.contact_id is null or resolved.contact_start is null or resolved.loaded_at is null", "invalid_value"],
            ["resolved.cost_eur < 0", "invalid_value", "cost_eur"],
            ["resolved.person_check"],
            ["services.service_key is null", "unknown_service_code"],
            ["service_tasks.service_task_code is null", "unknown_service_task_code"],
            ["resolved.contact_start > resolved.loaded_at", "future_date"],
        ]) }}
    from resolved
    left join {{ ref('service_code_map') }} as services
        on services.source_table = 'social_contact' and resolved.service_code = services.source_code
    left join {{ ref('social_service_tasks') }} as service_tasks
        on resolved.service_task_code = service_tasks.service_task_code
)

{{ deduplicate_deliveries('checked', ['contact_id'], 'social', 'social_contact') }}
