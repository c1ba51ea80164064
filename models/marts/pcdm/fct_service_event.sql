-- One row per usable service event of every domain (health, social, CRM), pseudonymous, with its
-- harmonised service, channel, volume and cost (costing rule: int_service_events_costed).
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['event_key'], on_schema_change='fail', pre_hook="{{ delete_events_evaluated_tonight(['event_key']) }}") }}
with

events as (
    select * from {{ ref('int_service_events_costed') }}
    where {{ is_event_evaluated_tonight(['event_key']) }}
)

select
    event_key,
    person_key,
    event_date,
    event_end_date,
    domain,
    service_key,
    service_group,
    service_task_code,
    source_table,
    channel,
    is_emergency,
    volume,
    volume_unit,
    cost_eur,
    is_cost_imputed
from events
