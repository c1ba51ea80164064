-- Every delivered income support payment (toimeentulotuki), typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['payment_id']) }}
with

source as (
    select * from {{ raw_source('social', 'income_support') }}
    {{ only_new_deliveries('social', 'income_support') }}
),

renamed as (
    select
        -- ids
        trim(cast(payment_id as {{ dbt.type_string() }})) as payment_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,

        -- codes
        lower(trim(cast(benefit_type as {{ dbt.type_string() }}))) as benefit_type,

        -- dates
        {{ safe_cast('payment_month', 'date') }} as payment_month,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- amounts
        {{ safe_cast('amount_eur', 'double') }} as amount_eur,

        -- audit
        trim(cast(payment_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('social', 'income_support') }} as unconverted_column,
        {{ raw_row_audit_columns('social', 'income_support') }}
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
            ["resolved.payment_id is null or resolved.payment_month is null or resolved.benefit_type is null"
                ~ " or resolved.amount_eur is null or resolved.loaded_at is null", "invalid_value"],
            ["resolved.amount_eur < 0", "invalid_value", "amount_eur"],
            [not_one_of('resolved.benefit_type', ['basic', 'supplementary', 'preventive'])
                ~ " or extract(day from resolved.payment_month) <> 1", "invalid_value"],
            ["resolved.person_check"],
            ["services.service_key is null", "unknown_service_code"],
        ]) }}
    from resolved
    left join {{ ref('service_code_map') }} as services
        on services.source_table = 'income_support' and resolved.benefit_type = services.source_code
)

{{ deduplicate_deliveries('checked', ['payment_id'], 'social', 'income_support') }}
