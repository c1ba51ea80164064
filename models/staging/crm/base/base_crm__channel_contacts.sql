-- Every delivered customer interaction in a service channel, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['interaction_id']) }}
with

source as (
    select * from {{ raw_source('crm', 'crm_channel_contact') }}
    {{ only_new_deliveries('crm', 'crm_channel_contact') }}
),

renamed as (
    select
        -- ids
        trim(cast(interaction_id as {{ dbt.type_string() }})) as interaction_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,

        -- codes
        lower(trim(cast(channel as {{ dbt.type_string() }}))) as channel,
        upper(trim(cast(topic_code as {{ dbt.type_string() }}))) as topic_code,

        -- dates
        {{ safe_cast('occurred_at', 'timestamp') }} as occurred_at,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- audit
        trim(cast(interaction_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('crm', 'crm_channel_contact') }} as unconverted_column,
        {{ raw_row_audit_columns('crm', 'crm_channel_contact') }}
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
            ["resolved.interaction_id is null or resolved.channel is null or resolved.occurred_at is null"
                ~ " or resolved.loaded_at is null", "invalid_value"],
            [not_one_of('resolved.channel', ['phone', 'chat', 'e_service', 'letter', 'walk_in']), "invalid_value"],
            ["resolved.person_check"],
            ["services.service_key is null", "unknown_service_code"],
            ["resolved.occurred_at > resolved.loaded_at", "future_date"],
        ]) }}
    from resolved
    left join {{ ref('service_code_map') }} as services
        on services.source_table = 'crm_channel_contact' and resolved.channel = services.source_code
)

{{ deduplicate_deliveries('checked', ['interaction_id'], 'crm', 'crm_channel_contact') }}
