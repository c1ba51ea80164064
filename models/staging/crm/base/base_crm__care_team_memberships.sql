-- Every delivered care-team membership, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['recorded_person_id', 'professional_id', 'role', 'valid_from']) }}
-- The grain key includes the identity code, so source_row_key carries it pseudonymised.
with

source as (
    select * from {{ raw_source('crm', 'crm_care_team') }}
    {{ only_new_deliveries('crm', 'crm_care_team') }}
),

renamed as (
    select
        -- ids
        {{ normalise_person_id('person_id') }} as recorded_person_id,
        trim(cast(professional_id as {{ dbt.type_string() }})) as professional_id,

        -- codes
        lower(trim(cast(role as {{ dbt.type_string() }}))) as role,

        -- dates
        {{ safe_cast('valid_from', 'date') }} as valid_from,
        {{ safe_cast('valid_to', 'date') }} as valid_to,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- audit: pseudonymised person | professional | role | valid_from (an empty part stays empty)
        coalesce({{ pseudonymise(normalise_person_id('person_id')) }}, '')
        || '|' || coalesce(trim(cast(professional_id as {{ dbt.type_string() }})), '')
        || '|' || coalesce(lower(trim(cast(role as {{ dbt.type_string() }}))), '')
        || '|' || coalesce(cast({{ safe_cast('valid_from', 'date') }} as {{ dbt.type_string() }}), '') as source_row_key,
        {{ unconverted_column('crm', 'crm_care_team') }} as unconverted_column,
        {{ raw_row_audit_columns('crm', 'crm_care_team') }}
    from source
),

resolved as (
    {{ resolve_person_id('renamed') }}
),

checked as (
    select
        resolved.*,
        {{ row_checks([
            ["resolved.professional_id is null or resolved.role is null or resolved.valid_from is null"
                ~ " or resolved.loaded_at is null", "invalid_value"],
            [not_one_of('resolved.role', ['responsible_professional', 'own_doctor', 'own_nurse', 'case_manager',
                'service_coordinator']), "invalid_value"],
            ["resolved.person_check"],
            ["resolved.valid_to < resolved.valid_from", "end_before_start"],
        ]) }}
    from resolved
)

{{ deduplicate_deliveries('checked', ['recorded_person_id', 'professional_id', 'role', 'valid_from'], 'crm', 'crm_care_team') }}
