-- Every delivered customer plan, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['plan_id']) }}
with

source as (
    select * from {{ raw_source('crm', 'care_plan') }}
    {{ only_new_deliveries('crm', 'care_plan') }}
),

renamed as (
    select
        -- ids
        trim(cast(plan_id as {{ dbt.type_string() }})) as plan_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,

        -- codes
        lower(trim(cast(plan_type as {{ dbt.type_string() }}))) as plan_type,

        -- dates
        {{ safe_cast('created_date', 'date') }} as created_date,
        {{ safe_cast('next_review_date', 'date') }} as next_review_date,
        {{ safe_cast('closed_date', 'date') }} as closed_date,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- audit
        trim(cast(plan_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('crm', 'care_plan') }} as unconverted_column,
        {{ raw_row_audit_columns('crm', 'care_plan') }}
    from source
),

resolved as (
    {{ resolve_person_id('renamed') }}
),

checked as (
    select
        resolved.*,
        {{ row_checks([
            ["resolved.plan_id is null or resolved.plan_type is null or resolved.created_date is null"
                ~ " or resolved.loaded_at is null", "invalid_value"],
            ["resolved.person_check"],
            ["resolved.closed_date < resolved.created_date", "end_before_start"],
            ["resolved.created_date > cast(resolved.loaded_at as date)", "future_date"],
        ]) }}
    from resolved
)

{{ deduplicate_deliveries('checked', ['plan_id'], 'crm', 'care_plan') }}
