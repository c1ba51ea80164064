-- Source freshness: per raw table, the newest extract that delivered any of its rows (max loaded_at),
-- its age in days at `as_of`, and how many days it lags behind the newest table of the delivery.
-- `as_of` is the var `freshness_as_of` when set (pcdm run sets it to the extract time of a demo
-- county it generated itself), otherwise the time of the run. A feed that stopped shows as a table
-- whose newest extract is older than the others. A table an OMOP run was not delivered (an optional
-- raw contract table, docs/omop-mapping.md) has no extract and no row here.
{%- set as_of = var('freshness_as_of', none) %}

with

newest as (
    {%- for raw in pcdm.raw_tables() if pcdm.input_table_delivered(raw.source, raw.table) %}
        select
            '{{ raw.table }}' as source_table,
            max(loaded_at) as newest_loaded_at
        from {{ ref(raw.base) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

delivery as (
    select
        max(newest_loaded_at) as newest_of_all,
        {% if as_of -%}
            cast('{{ as_of }}' as timestamp)
        {%- else -%}
            cast(current_timestamp as timestamp)
        {%- endif %} as as_of
    from newest
)

select
    newest.source_table,
    newest.newest_loaded_at,
    delivery.as_of,
    {%- set newest_day = 'cast(newest.newest_loaded_at as date)' %}
    cast(
        {{ dbt.datediff(newest_day, 'cast(delivery.as_of as date)', 'day') }} as {{ dbt.type_bigint() }}
    ) as age_days,
    cast(
        {{ dbt.datediff(newest_day, 'cast(delivery.newest_of_all as date)', 'day') }} as {{ dbt.type_bigint() }}
    ) as days_behind_newest_table
from newest
cross join delivery
