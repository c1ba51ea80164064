-- One row per usable service event of every domain, pseudonymous, with its harmonised service and
-- cost: the source cost when present, else the unit cost of the service times the volume
-- (a decision's monthly cost times its months in force). event_key is stable across runs.
with

events as (
    select * from {{ ref('int_service_events_unioned') }}
),

services as (
    select * from {{ ref('service_catalogue') }}
),

unit_costs as (
    select * from {{ ref('unit_costs') }}
)

select
    {{ dbt.hash("events.source_table || ':' || events.source_id") }} as event_key,
    {{ pseudonymise('events.person_id') }} as person_key,
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
    cast(round(coalesce(
        case
            when events.source_table = 'social_decision'
                then coalesce(events.source_cost_eur, unit_costs.unit_cost_eur) * events.volume
            else coalesce(events.source_cost_eur, unit_costs.unit_cost_eur * events.volume)
        end,
        0
    ), 2) as double) as cost_eur,
    events.source_cost_eur is null as is_cost_imputed
from events
left join services on events.service_key = services.service_key
left join unit_costs on events.service_key = unit_costs.service_key
