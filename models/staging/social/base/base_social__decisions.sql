-- Every delivered social welfare service decision, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['decision_id']) }}
with

source as (
    select * from {{ raw_source('social', 'social_decision') }}
    {{ only_new_deliveries('social', 'social_decision') }}
),

renamed as (
    select
        -- ids
        trim(cast(decision_id as {{ dbt.type_string() }})) as decision_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,

        -- codes
        upper(trim(cast(service_task_code as {{ dbt.type_string() }}))) as service_task_code,
        upper(trim(cast(service_code as {{ dbt.type_string() }}))) as service_code,
        lower(trim(cast(decision_type as {{ dbt.type_string() }}))) as decision_type,

        -- dates
        {{ safe_cast('decision_date', 'date') }} as decision_date,
        {{ safe_cast('valid_from', 'date') }} as valid_from,
        {{ safe_cast('valid_to', 'date') }} as valid_to,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- amounts
        {{ safe_cast('monthly_cost_eur', 'double') }} as monthly_cost_eur,

        -- audit
        trim(cast(decision_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('social', 'social_decision') }} as unconverted_column,
        {{ raw_row_audit_columns('social', 'social_decision') }}
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
            ["resolved.decision_id is null or resolved.decision_date is null or resolved.decision_type is null"
                ~ " or resolved.loaded_at is null", "invalid_value"],
            ["resolved.monthly_cost_eur < 0", "invalid_value", "monthly_cost_eur"],
            [not_one_of('resolved.decision_type', ['granted', 'denied', 'terminated'])
                ~ " or (resolved.decision_type = 'granted' and resolved.valid_from is null)", "invalid_value"],
            ["resolved.person_check"],
            ["services.service_key is null", "unknown_service_code"],
            ["service_tasks.service_task_code is null", "unknown_service_task_code"],
            ["resolved.valid_to < resolved.valid_from", "end_before_start"],
            ["resolved.decision_date > cast(resolved.loaded_at as date)", "future_date"],
        ]) }}
    from resolved
    left join {{ ref('service_code_map') }} as services
        on services.source_table = 'social_decision' and resolved.service_code = services.source_code
    left join {{ ref('social_service_tasks') }} as service_tasks
        on resolved.service_task_code = service_tasks.service_task_code
)

{{ deduplicate_deliveries('checked', ['decision_id'], 'social', 'social_decision') }}
