-- Every delivered expression of will or consent, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['consent_id']) }}
with

source as (
    select * from {{ raw_source('crm', 'crm_consent') }}
    {{ only_new_deliveries('crm', 'crm_consent') }}
),

renamed as (
    select
        -- ids
        trim(cast(consent_id as {{ dbt.type_string() }})) as consent_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,

        -- codes
        lower(trim(cast(consent_type as {{ dbt.type_string() }}))) as consent_type,
        lower(trim(cast(status as {{ dbt.type_string() }}))) as status,

        -- dates
        {{ safe_cast('valid_from', 'date') }} as valid_from,
        {{ safe_cast('valid_to', 'date') }} as valid_to,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- audit
        trim(cast(consent_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('crm', 'crm_consent') }} as unconverted_column,
        {{ raw_row_audit_columns('crm', 'crm_consent') }}
    from source
),

resolved as (
    {{ resolve_person_id('renamed') }}
),

checked as (
    select
        resolved.*,
        {{ row_checks([
            ["resolved.consent_id is null or resolved.consent_type is null or resolved.status is null"
                ~ " or resolved.valid_from is null or resolved.loaded_at is null", "invalid_value"],
            [not_one_of('resolved.status', ['given', 'denied', 'withdrawn']), "invalid_value"],
            ["resolved.person_check"],
            ["resolved.valid_to < resolved.valid_from", "end_before_start"],
        ]) }}
    from resolved
)

{{ deduplicate_deliveries('checked', ['consent_id'], 'crm', 'crm_consent') }}
