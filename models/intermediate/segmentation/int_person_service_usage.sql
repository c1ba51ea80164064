-- One row per person in scope and harmonised health or social service used in the 12-month window
-- (Soite multi-service model). Health: volume = contacts, or care days in the window for inpatient
-- services; a user when volume >= the service's usage threshold (seeds/service_catalogue.csv); top
-- decile when volume > the var top_decile_percentile (default 0.9, continuous) of volume among the
-- service's users. Social: volume = months of granted decisions in force in the window plus social
-- contacts; a user when either is above 0. Income support payments and CRM contacts are not services here.
with

events as (
    select * from {{ ref('int_service_events_in_window') }}
    where source_table in ('health_contact', 'health_episode', 'social_decision', 'social_contact')
),

services as (
    select * from {{ ref('service_catalogue') }}
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

volumes as (
    select
        events.person_key,
        events.service_key,
        events.domain,
        {{ exact_sum('events.window_volume') }} as volume
    from events
    group by events.person_key, events.service_key, events.domain
),

flagged as (
    select
        volumes.*,
        case
            when volumes.domain = 'health' then volumes.volume >= services.usage_threshold
            else volumes.volume > 0
        end as is_user
    from volumes
    inner join services on volumes.service_key = services.service_key
),

top_decile_limits as (
    select
        service_key,
        {{ percentile_cont('volume', var('top_decile_percentile')) }} as top_decile_limit
    from flagged
    where is_user and domain = 'health'
    group by service_key
)

select
    flagged.person_key,
    reference_period.reference_date,
    '{{ var("rule_version") }}' as rule_version,
    flagged.service_key,
    flagged.domain,
    cast(flagged.volume as {{ type_double() }}) as volume,
    flagged.is_user,
    coalesce(flagged.is_user and flagged.volume > top_decile_limits.top_decile_limit, false) as is_top_decile
from flagged
cross join reference_period
left join top_decile_limits on flagged.service_key = top_decile_limits.service_key
