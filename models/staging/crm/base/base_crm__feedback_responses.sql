-- Every delivered customer feedback answer, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['response_id']) }}
-- The respondent may be anonymous: a missing identity code is allowed, an invalid one is not.
with

source as (
    select * from {{ raw_source('crm', 'feedback_response') }}
    {{ only_new_deliveries('crm', 'feedback_response') }}
),

renamed as (
    select
        -- ids
        trim(cast(response_id as {{ dbt.type_string() }})) as response_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,

        -- codes
        upper(trim(cast(service_code as {{ dbt.type_string() }}))) as service_code,
        upper(trim(cast(prom_instrument as {{ dbt.type_string() }}))) as prom_instrument,

        -- dates
        {{ safe_cast('responded_at', 'timestamp') }} as responded_at,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- scores: nps read as a number so that a fractional answer is caught, typed integer in stg
        {{ safe_cast('nps_score', 'double') }} as nps_score,
        {{ safe_cast('prom_score', 'double') }} as prom_score,

        -- audit
        trim(cast(response_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('crm', 'feedback_response') }} as unconverted_column,
        {{ raw_row_audit_columns('crm', 'feedback_response') }}
    from source
),

resolved as (
    {{ resolve_person_id('renamed', nullable=true) }}
),

checked as (
    select
        resolved.*,
        {{ row_checks([
            ["resolved.response_id is null or resolved.responded_at is null or resolved.loaded_at is null", "invalid_value"],
            ["resolved.nps_score not between 0 and 10 or resolved.nps_score <> floor(resolved.nps_score)", "invalid_value"],
            ["resolved.person_check"],
            ["resolved.responded_at > resolved.loaded_at", "future_date"],
        ]) }}
    from resolved
)

{{ deduplicate_deliveries('checked', ['response_id'], 'crm', 'feedback_response') }}
