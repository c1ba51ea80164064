-- Every delivered inpatient episode, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['episode_id']) }}
with

source as (
    select * from {{ raw_source('health', 'health_episode') }}
    {{ only_new_deliveries('health', 'health_episode') }}
),

renamed as (
    select
        -- ids
        trim(cast(episode_id as {{ dbt.type_string() }})) as episode_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,
        trim(cast(unit_id as {{ dbt.type_string() }})) as unit_id,

        -- codes
        upper(trim(cast(specialty_code as {{ dbt.type_string() }}))) as specialty_code,
        lower(trim(cast(admission_type as {{ dbt.type_string() }}))) as admission_type,
        lower(trim(cast(care_level as {{ dbt.type_string() }}))) as care_level,

        -- dates
        {{ safe_cast('admission_date', 'date') }} as admission_date,
        {{ safe_cast('discharge_date', 'date') }} as discharge_date,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- amounts
        {{ safe_cast('cost_eur', 'double') }} as cost_eur,

        -- audit
        trim(cast(episode_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('health', 'health_episode') }} as unconverted_column,
        {{ raw_row_audit_columns('health', 'health_episode') }}
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
            ["episode_id is null or admission_date is null or loaded_at is null", "invalid_value"],
            ["cost_eur < 0", "invalid_value", "cost_eur"],
            [not_one_of('admission_type', ['emergency', 'elective']) ~ " or "
                ~ not_one_of('care_level', ['primary', 'specialised']), "invalid_value"],
            ["person_check"],
            ["services.service_key is null", "unknown_service_code"],
            ["discharge_date < admission_date", "end_before_start"],
            ["admission_date > cast(loaded_at as date) or discharge_date > cast(loaded_at as date)", "future_date"],
        ]) }}
    from resolved
    left join {{ ref('service_code_map') }} as services
        on services.source_table = 'health_episode' and resolved.specialty_code = services.source_code
)

{{ deduplicate_deliveries('checked', ['episode_id'], 'health', 'health_episode') }}
