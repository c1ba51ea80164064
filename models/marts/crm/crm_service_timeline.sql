-- The person's service path (palvelupolku) for the professional: one row per service event of a
-- person in scope up to R, in order, with its domain, harmonised service and channel. Social-care
-- events are left out unless a `social_health_data_sharing` consent is in force at R (as in
-- crm_person_summary).
with

events as (
    select * from {{ ref('fct_service_event') }}
),

summary as (
    select * from {{ ref('crm_person_summary') }}
)

select
    events.event_key,
    summary.person_id,
    events.person_key,
    events.event_date,
    events.event_end_date,
    events.domain,
    events.service_key,
    events.service_group,
    events.channel,
    events.is_emergency,
    cast(row_number() over (
        partition by events.person_key
        order by events.event_date, events.service_key, events.event_key
    ) as {{ dbt.type_bigint() }}) as event_sequence
from events
inner join summary on events.person_key = summary.person_key
where
    events.event_date <= summary.reference_date
    and (events.domain <> 'social' or not summary.is_social_care_withheld)
