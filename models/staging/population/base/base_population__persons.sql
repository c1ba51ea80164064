-- Every delivered register row, typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['person_id']) }}
with

source as (
    select * from {{ raw_source('population', 'population_person') }}
    {{ only_new_deliveries('population', 'population_person') }}
),

renamed as (
    select
        -- ids
        {{ normalise_person_id('person_id') }} as person_id,

        -- attributes
        trim(cast(sex_code as {{ dbt.type_string() }})) as sex_code,
        lpad(trim(cast(municipality_code as {{ dbt.type_string() }})), 3, '0') as municipality_code,
        lower(trim(cast(language_code as {{ dbt.type_string() }}))) as language_code,
        -- a privacy flag that is missing or unknown reads as the safe value: non-disclosed (counted in
        -- is_non_disclosure_unknown and reported by the data-quality gate)
        coalesce({{ to_boolean('non_disclosure') }}, true) as non_disclosure,
        {{ to_boolean('non_disclosure') }} is null as is_non_disclosure_unknown,

        -- dates
        {{ safe_cast('birth_date', 'date') }} as birth_date,
        {{ safe_cast('death_date', 'date') }} as death_date,
        {{ safe_cast('updated_at', 'timestamp') }} as updated_at,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- audit
        {{ pseudonymise(normalise_person_id('person_id')) }} as source_row_key,
        {{ unconverted_column('population', 'population_person', exclude=['non_disclosure']) }} as unconverted_column,
        {{ raw_row_audit_columns('population', 'population_person') }}
    from source
),

checked as (
    select
        renamed.*,
        {{ row_checks([
            ["loaded_at is null", "invalid_value"],
            ["not " ~ person_id_is_valid('person_id') ~ " or " ~ person_id_is_temporary('person_id'), "invalid_person_id"],
            ["birth_date is null or " ~ not_one_of('sex_code', ['1', '2']), "invalid_value"],
            ["birth_date > cast(loaded_at as date) or death_date > cast(loaded_at as date)", "future_date"],
            ["death_date < birth_date", "end_before_start"],
        ]) }}
    from renamed
)

{{ deduplicate_deliveries('checked', ['person_id'], 'population', 'population_person') }}
