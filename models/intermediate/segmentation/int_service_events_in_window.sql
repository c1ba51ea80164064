-- The service events of the persons in scope that fall in the 12-month window (R - 1 year < d <= R),
-- with the part of each event inside it: 1 for a contact, payment or interaction dated in the
-- window; the care days of a stay inside the window; the months in force of a granted decision
-- inside the window (denied and terminated decisions are never in force). Cost is attributed in
-- proportion: the event's cost per unit of volume times its volume in the window.
with

events as (
    select * from {{ ref('int_service_events_costed') }}
),

persons as (
    select person_key from {{ ref('int_persons_in_scope') }}
    where is_in_scope
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

windowed as (
    select
        events.event_key,
        events.person_key,
        events.source_table,
        events.domain,
        events.service_key,
        events.service_task_code,
        events.event_date,
        events.event_end_date,
        events.is_emergency,
        events.volume,
        events.volume_unit,
        events.cost_eur,
        case
            when events.volume_unit = 'care_day'
                then {{ care_days_in_window(
                    'events.event_date', 'events.event_end_date',
                    'reference_period.window_12m_after', 'reference_period.reference_date'
                ) }}
            when events.volume_unit = 'decision_month' and events.decision_type = 'granted'
                then {{ decision_days_in_window(
                    'events.event_date', 'events.event_end_date',
                    'reference_period.window_12m_after', 'reference_period.reference_date'
                ) }}
            when events.volume_unit = 'decision_month' then 0
            when
                {{ in_window('events.event_date') }}
                then 1
            else 0
        end as days_in_window
    from events
    inner join persons on events.person_key = persons.person_key
    cross join reference_period
)

select
    event_key,
    person_key,
    source_table,
    domain,
    service_key,
    service_task_code,
    event_date,
    event_end_date,
    is_emergency,
    volume_unit,
    cast(case
        when volume_unit = 'decision_month' then {{ days_to_months('days_in_window') }}
        else days_in_window
    end as {{ type_double() }}) as window_volume,
    case
        when volume = 0 then 0
        when volume_unit = 'decision_month' then cost_eur / volume * {{ days_to_months('days_in_window') }}
        when volume_unit = 'care_day' then cost_eur / volume * least(days_in_window, volume)
        else cost_eur
    end as window_cost_eur
from windowed
where days_in_window > 0
