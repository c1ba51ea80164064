-- Every delivered link of a temporary identifier to a permanent one, with the reason it cannot be staged.
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['temporary_id']) }}
with

source as (
    select * from {{ raw_source('population', 'population_id_link') }}
    {{ only_new_deliveries('population', 'population_id_link') }}
),

renamed as (
    select
        -- ids
        {{ normalise_person_id('temporary_id') }} as temporary_id,
        {{ normalise_person_id('person_id') }} as person_id,

        -- dates
        {{ safe_cast('linked_at', 'timestamp') }} as linked_at,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- audit
        {{ pseudonymise(normalise_person_id('temporary_id')) }} as source_row_key,
        {{ unconverted_column('population', 'population_id_link') }} as unconverted_column,
        {{ raw_row_audit_columns('population', 'population_id_link') }}
    from source
),

checked as (
    select
        renamed.*,
        {{ row_checks([
            ["loaded_at is null", "invalid_value"],
            ["not " ~ person_id_is_valid('temporary_id') ~ " or not " ~ person_id_is_temporary('temporary_id'), "invalid_person_id"],
            ["not " ~ person_id_is_valid('person_id') ~ " or " ~ person_id_is_temporary('person_id'), "invalid_person_id"],
            ["person_id not in (select registered.person_id from " ~ ref('stg_population__persons') ~ " as registered)", "orphan_person"],
            ["linked_at > loaded_at", "future_date"],
        ]) }}
    from renamed
)

{{ deduplicate_deliveries('checked', ['temporary_id'], 'population', 'population_id_link') }}
