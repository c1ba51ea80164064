-- Plausibility metrics of the built marts, one row per metric and scope: events per resident in
-- scope per domain and per harmonised service, cost per event per domain (12 months before the
-- reference date), each service's users against the 12 months before, the share of emergency
-- health contacts, the share of residents aged 65 or over, and events whose person is missing from
-- dim_person (referential integrity), the residents in scope, the share of each event table's events
-- costed with the unit cost of the seed, staged persons whose non-disclosure flag was unknown, and
-- the social-care rows delivered (0: no social-care data, e.g. an OMOP instance delivered alone).
with

reference as (
    select
        reference_date,
        window_12m_after,
        window_24m_after
    from {{ ref('int_reference_period') }}
),

persons as (
    select * from {{ ref('dim_person') }}
),

residents as (
    select
        count(*) as residents,
        count(case when age >= 65 then 1 end) as residents_65_plus
    from persons
    where is_in_scope
),

events_12m as (
    select events.*
    from {{ ref('fct_service_event') }} as events
    cross join reference
    where events.event_date > reference.window_12m_after and events.event_date <= reference.reference_date
),

by_domain as (
    select
        domain,
        count(*) as events,
        {{ exact_sum('cost_eur') }} as cost_eur,
        count(case when source_table = 'health_contact' then 1 end) as health_contacts,
        count(case when source_table = 'health_contact' and is_emergency then 1 end) as emergency_contacts
    from events_12m
    group by domain
),

by_service as (
    select
        events.service_key,
        count(case when events.event_date > reference.window_12m_after then 1 end) as events,
        count(distinct case when events.event_date > reference.window_12m_after then events.person_key end)
            as service_users,
        count(distinct case when events.event_date <= reference.window_12m_after then events.person_key end)
            as service_users_previous_year
    from {{ ref('fct_service_event') }} as events
    cross join reference
    where events.event_date > reference.window_24m_after and events.event_date <= reference.reference_date
    group by events.service_key
),

cost_sources as (
    select
        source_table,
        count(*) as events,
        count(case when is_cost_imputed then 1 end) as imputed_events
    from {{ ref('fct_service_event') }}
    group by source_table
),

privacy_flags as (
    select
        count(*) as persons,
        count(case when is_non_disclosure_unknown then 1 end) as unknown_flags
    from {{ ref('base_population__persons') }}
    where quarantine_reason is null
),

social_care_delivery as (
    select
        (select count(*) from {{ ref('base_social__decisions') }})
        + (select count(*) from {{ ref('base_social__contacts') }}) as delivered_rows
),

orphan_events as (
    select count(*) as events
    from {{ ref('fct_service_event') }} as events
    left join persons on events.person_key = persons.person_key
    where persons.person_key is null
),

metrics as (
    select
        'events_per_resident' as metric,
        by_domain.domain as scope_name,
        by_domain.events * 1.0 / nullif(residents.residents, 0) as metric_value,
        by_domain.events as numerator,
        residents.residents as denominator
    from by_domain
    cross join residents
    union all
    select
        'cost_per_event_eur' as metric,
        domain as scope_name,
        cost_eur / nullif(events, 0) as metric_value,
        cost_eur as numerator,
        events as denominator
    from by_domain
    union all
    select
        'emergency_contact_share' as metric,
        domain as scope_name,
        emergency_contacts * 1.0 / nullif(health_contacts, 0) as metric_value,
        emergency_contacts as numerator,
        health_contacts as denominator
    from by_domain
    where domain = 'health'
    union all
    select
        'events_per_resident_by_service' as metric,
        by_service.service_key as scope_name,
        by_service.events * 1.0 / nullif(residents.residents, 0) as metric_value,
        by_service.events as numerator,
        residents.residents as denominator
    from by_service
    cross join residents
    union all
    select
        'service_users_vs_previous_year' as metric,
        service_key as scope_name,
        service_users * 1.0 / nullif(service_users_previous_year, 0) as metric_value,
        service_users as numerator,
        service_users_previous_year as denominator
    from by_service
    union all
    select
        'residents_65_plus_share' as metric,
        'population' as scope_name,
        residents_65_plus * 1.0 / nullif(residents, 0) as metric_value,
        residents_65_plus as numerator,
        residents as denominator
    from residents
    union all
    select
        'residents_in_scope' as metric,
        'population' as scope_name,
        residents as metric_value,
        residents as numerator,
        null as denominator
    from residents
    union all
    select
        'unit_cost_share' as metric,
        source_table as scope_name,
        imputed_events * 1.0 / nullif(events, 0) as metric_value,
        imputed_events as numerator,
        events as denominator
    from cost_sources
    union all
    select
        'non_disclosure_unknown' as metric,
        'population_person' as scope_name,
        unknown_flags as metric_value,
        unknown_flags as numerator,
        persons as denominator
    from privacy_flags
    union all
    select
        'social_care_rows_delivered' as metric,
        'social' as scope_name,
        delivered_rows as metric_value,
        delivered_rows as numerator,
        null as denominator
    from social_care_delivery
    union all
    select
        'events_without_person' as metric,
        'all' as scope_name,
        events as metric_value,
        events as numerator,
        null as denominator
    from orphan_events
)

select
    metrics.metric,
    metrics.scope_name,
    cast(metrics.metric_value as {{ type_double() }}) as metric_value,
    cast(metrics.numerator as {{ type_double() }}) as numerator,
    cast(metrics.denominator as {{ type_double() }}) as denominator,
    reference.reference_date
from metrics
cross join reference
