-- Every staged service event with its harmonised service and cost: the source cost when present
-- (a decision's monthly cost times its months in force), else the unit cost of the service in the
-- event's volume unit times the volume. A service is priced in one unit (seeds/unit_costs.csv), so
-- e.g. a home care decision without a source cost costs 0 and its visits carry the cost: nothing is
-- counted twice. event_key is stable across runs.
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['event_key'], pre_hook="{{ delete_events_evaluated_tonight(['source_table', 'source_id']) }}") }}
with

events as (
    select * from {{ ref('int_service_events_unioned') }}
    where {{ is_event_evaluated_tonight(['source_table', 'source_id']) }}
),

services as (
    select * from {{ ref('service_catalogue') }}
),

unit_costs as (
    select * from {{ ref('unit_costs') }}
)

select
    {{ event_key('events.source_table', 'events.source_id') }} as event_key,
    events.source_id,
    events.person_key,
    events.event_date,
    events.event_end_date,
    services.domain,
    events.service_key,
    services.service_group,
    events.service_task_code,
    events.source_table,
    events.channel,
    events.is_emergency,
    events.volume,
    events.volume_unit,
    events.decision_type,
    {%- set cost -%}
    coalesce(
        case
            when events.volume_unit = 'decision_month' then events.source_cost_eur * events.volume
            else events.source_cost_eur
        end,
        unit_costs.unit_cost_eur * events.volume,
        0
    )
    {%- endset %}
    cast({{ round_to(cost, 2) }} as {{ type_double() }}) as cost_eur,
    events.source_cost_eur is null and unit_costs.unit_cost_eur is not null as is_cost_imputed
from events
left join services on events.service_key = services.service_key
left join unit_costs
    on
        events.service_key = unit_costs.service_key
        and events.volume_unit = unit_costs.cost_unit
