-- Every delivered client fee invoice (asiakasmaksu), typed and normalised, with the reason it cannot be staged (if any).
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['invoice_id']) }}
with

source as (
    select * from {{ raw_source('finance', 'client_fee') }}
    {{ only_new_deliveries('finance', 'client_fee') }}
),

renamed as (
    select
        -- ids
        trim(cast(invoice_id as {{ dbt.type_string() }})) as invoice_id,
        {{ normalise_person_id('person_id') }} as recorded_person_id,

        -- codes
        upper(trim(cast(service_code as {{ dbt.type_string() }}))) as service_code,

        -- dates
        {{ safe_cast('invoice_date', 'date') }} as invoice_date,
        {{ safe_cast('paid_date', 'date') }} as paid_date,
        {{ safe_cast('loaded_at', 'timestamp') }} as loaded_at,

        -- amounts
        {{ safe_cast('amount_eur', 'double') }} as amount_eur,

        -- audit
        trim(cast(invoice_id as {{ dbt.type_string() }})) as source_row_key,
        {{ unconverted_column('finance', 'client_fee') }} as unconverted_column,
        {{ raw_row_audit_columns('finance', 'client_fee') }}
    from source
),

resolved as (
    {{ resolve_person_id('renamed') }}
),

checked as (
    select
        resolved.*,
        {{ row_checks([
            ["resolved.invoice_id is null or resolved.invoice_date is null or resolved.amount_eur is null"
                ~ " or resolved.loaded_at is null", "invalid_value"],
            ["resolved.amount_eur < 0", "invalid_value", "amount_eur"],
            ["resolved.person_check"],
            ["resolved.paid_date < resolved.invoice_date", "end_before_start"],
            ["resolved.invoice_date > cast(resolved.loaded_at as date)", "future_date"],
        ]) }}
    from resolved
)

{{ deduplicate_deliveries('checked', ['invoice_id'], 'finance', 'client_fee') }}
