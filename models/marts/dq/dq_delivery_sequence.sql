-- Checks across deliveries (gate checks delivery_rows_vs_usual, delivery_days_since_previous): per raw
-- table, the rows of the latest delivery against the median of the deltas before it (up to
-- var delivery_history_nights; the first delivery, a full extract, is not a delta), and the days from
-- the previous delivery to the latest. A run on one folder has no previous delivery: nulls, which the
-- checks' scopes leave out.
{%- set history = var('delivery_history_nights', 7) %}

with

log as (
    select * from {{ ref('dq_delivery_log') }}
),

deliveries as (
    select
        delivery_id,
        max(last_loaded_at) as delivered_until,
        row_number() over (order by delivery_id) as delivery_number
    from log
    group by delivery_id
),

latest as (
    select
        delivery_id,
        delivered_until,
        delivery_number
    from deliveries
    where delivery_number = (select max(numbered.delivery_number) from deliveries as numbered)
),

previous as (
    select deliveries.delivered_until
    from deliveries
    inner join latest on deliveries.delivery_number = latest.delivery_number - 1
),

usual as (
    select
        log.source_table,
        count(*) as previous_deltas,
        {{ pcdm.percentile_cont('log.delivered_rows', 0.5) }} as usual_rows
    from log
    inner join deliveries on log.delivery_id = deliveries.delivery_id
    cross join latest
    where
        deliveries.delivery_number > 1
        and deliveries.delivery_number < latest.delivery_number
        and deliveries.delivery_number >= latest.delivery_number - {{ history }}
    group by log.source_table
)

select
    log.delivery_id,
    log.source_table,
    log.delivered_rows,
    cast(coalesce(usual.previous_deltas, 0) as {{ dbt.type_bigint() }}) as previous_deltas,
    cast(usual.usual_rows as {{ type_double() }}) as usual_rows,
    cast(log.delivered_rows * 1.0 / nullif(usual.usual_rows, 0) as {{ type_double() }}) as rows_vs_usual,
    cast(
        {{ dbt.datediff('cast(previous.delivered_until as date)', 'cast(latest.delivered_until as date)', 'day') }}
        as {{ dbt.type_bigint() }}
    ) as days_since_previous_delivery
from log
inner join latest on log.delivery_id = latest.delivery_id
left join usual on log.source_table = usual.source_table
left join previous on 1 = 1
