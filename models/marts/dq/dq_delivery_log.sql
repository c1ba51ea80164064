-- The delivery log: per delivery and raw table, the rows delivered and their loaded_at range, and when
-- `pcdm run --nightly` applied the delivery (docs/raw-contract.md "Delivery sequence"). Incremental
-- with the base models: a night adds the rows of its own delivery. A run on one raw folder logs that
-- folder as its one delivery (applied_at null). Tables an OMOP run maps or was not delivered are not
-- read from raw files and have no row.
{{ config(materialized=delivery_materialization(), incremental_strategy='delete+insert', unique_key=['delivery_id', 'source_table'], on_schema_change='fail') }}
{%- set applied = var('deliveries_applied', {}) %}

with

delivered as (
    {%- set tables = [] %}
    {%- for raw in pcdm.raw_tables() if pcdm.input_table_delivered(raw.source, raw.table)
        and not (pcdm.is_omop_input() and raw.table in pcdm.omop_mapped_tables()) %}
        {%- do tables.append(raw) %}
    {%- endfor %}
    {%- for raw in tables %}
        select
            raw_rows.delivery_id,
            '{{ raw.table }}' as source_table,
            count(*) as delivered_rows,
            min(raw_rows.loaded_at) as first_loaded_at,
            max(raw_rows.loaded_at) as last_loaded_at
        from (
            select
                {{ pcdm.delivery_id_of_row() }} as delivery_id,
                {{ pcdm.safe_cast('loaded_at', 'timestamp') }} as loaded_at
            from {{ source(raw.source, raw.table) }}
            {%- if is_incremental() %}
            where filename like '{{ var('new_delivery') | replace("'", "''") }}/%'
            {%- endif %}
        ) as raw_rows
        group by raw_rows.delivery_id
        {% if not loop.last %}union all{% endif %}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as delivery_id,
            cast(null as {{ dbt.type_string() }}) as source_table,
            0 as delivered_rows,
            cast(null as {{ dbt.type_timestamp() }}) as first_loaded_at,
            cast(null as {{ dbt.type_timestamp() }}) as last_loaded_at
        where 1 = 0
    {%- endfor %}
),

applied as (
    {%- for delivery_id, delivery in applied.items() %}
        select
            '{{ delivery_id }}' as delivery_id,
            '{{ delivery.folder | replace("'", "''") }}' as delivered_from,
            cast('{{ delivery.applied_at }}' as {{ dbt.type_timestamp() }}) as applied_at
        union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as delivery_id,
        cast(null as {{ dbt.type_string() }}) as delivered_from,
        cast(null as {{ dbt.type_timestamp() }}) as applied_at
    where 1 = 0
),

{#- every delivery x table, a table tonight delivered no rows of included (0 rows) -#}
{%- set new_id = (var('new_delivery', '') | string).rstrip('/').split('/')[-1] %}
{%- set logged = applied.keys() | select('equalto', new_id) | list if is_incremental() else applied.keys() | list %}

expected as (
    {%- for delivery_id in logged %}
        {%- for raw in tables %}
        select
            '{{ delivery_id }}' as delivery_id,
            '{{ raw.table }}' as source_table
        union all
        {%- endfor %}
    {%- endfor %}
    select
        delivered.delivery_id,
        delivered.source_table
    from delivered
)

select
    cast(expected.delivery_id as {{ dbt.type_string() }}) as delivery_id,
    cast(expected.source_table as {{ dbt.type_string() }}) as source_table,
    cast(coalesce(delivered.delivered_rows, 0) as {{ dbt.type_bigint() }}) as delivered_rows,
    delivered.first_loaded_at,
    delivered.last_loaded_at,
    cast(applied.delivered_from as {{ dbt.type_string() }}) as delivered_from,
    applied.applied_at
from (select distinct delivery_id, source_table from expected) as expected
left join delivered
    on expected.delivery_id = delivered.delivery_id and expected.source_table = delivered.source_table
left join applied
    on expected.delivery_id = applied.delivery_id
