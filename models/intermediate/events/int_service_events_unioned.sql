-- Every staged service event of every domain in one shape, pseudonymous, before costing: health contacts and
-- inpatient episodes, social decisions, social contacts and income support payments, CRM channel contacts.
-- volume: 1 per contact, payment or interaction; care days for an episode (admission <= d < discharge,
-- a same-day stay counts 1, an ongoing stay counts up to the extract date); months in force for a
-- granted decision (0 for denied and terminated decisions). volume_unit names the unit, which is also
-- the cost unit of seeds/unit_costs.csv. decision_type: granted, denied or terminated (decisions only).
-- source_cost_eur: the source's own cost (per month for decisions).
{{ config(materialized=delivery_materialization(), incremental_strategy=incremental_strategy_by_key(), unique_key=['source_table', 'source_id'], pre_hook="{{ delete_events_evaluated_tonight(['source_table', 'source_id']) }}") }}
with

health_contacts as (
    select * from {{ ref('stg_health__contacts') }}
    where {{ event_source_evaluated_tonight('health_contact') }}
),

health_episodes as (
    select * from {{ ref('stg_health__episodes') }}
    where {{ event_source_evaluated_tonight('health_episode') }}
),

social_decisions as (
    select * from {{ ref('stg_social__decisions') }}
    where {{ event_source_evaluated_tonight('social_decision') }}
),

social_contacts as (
    select * from {{ ref('stg_social__contacts') }}
    where {{ event_source_evaluated_tonight('social_contact') }}
),

income_support as (
    select * from {{ ref('stg_social__income_support_payments') }}
    where {{ event_source_evaluated_tonight('income_support') }}
),

crm_contacts as (
    select * from {{ ref('stg_crm__channel_contacts') }}
    where {{ event_source_evaluated_tonight('crm_channel_contact') }}
),

contact_channels as (
    select * from {{ ref('contact_type_channels') }}
),

unioned as (
    select
        'health_contact' as source_table,
        health_contacts.contact_id as source_id,
        health_contacts.person_key,
        cast(health_contacts.contact_start as date) as event_date,
        cast(null as date) as event_end_date,
        health_contacts.service_key,
        cast(null as {{ dbt.type_string() }}) as service_task_code,
        coalesce(contact_channels.channel, 'other') as channel,
        health_contacts.is_emergency,
        cast(1 as {{ type_double() }}) as volume,
        'contact' as volume_unit,
        cast(null as {{ dbt.type_string() }}) as decision_type,
        health_contacts.cost_eur as source_cost_eur
    from health_contacts
    left join contact_channels
        on
            contact_channels.source_table = 'health_contact'
            and health_contacts.contact_type_code = contact_channels.contact_type_code

    union all

    select
        'health_episode' as source_table,
        episode_id as source_id,
        person_key,
        admission_date as event_date,
        discharge_date as event_end_date,
        service_key,
        cast(null as {{ dbt.type_string() }}) as service_task_code,
        'inpatient' as channel,
        admission_type = 'emergency' as is_emergency,
        cast(greatest(
            {{ dbt.datediff('admission_date', 'coalesce(discharge_date, cast(loaded_at as date))', 'day') }}, 1
        ) as {{ type_double() }}) as volume,
        'care_day' as volume_unit,
        cast(null as {{ dbt.type_string() }}) as decision_type,
        cost_eur as source_cost_eur
    from health_episodes

    union all

    select
        'social_decision' as source_table,
        decision_id as source_id,
        person_key,
        coalesce(valid_from, decision_date) as event_date,
        valid_to as event_end_date,
        service_key,
        service_task_code,
        'decision' as channel,
        false as is_emergency,
        case
            when decision_type = 'granted'
                then {{ days_to_months(
                    'greatest(' ~ dbt.datediff('valid_from', 'coalesce(' ~ day_after('valid_to') ~ ', cast(loaded_at as date))', 'day') ~ ', 0)'
                ) }}
            else 0
        end as volume,
        'decision_month' as volume_unit,
        decision_type,
        monthly_cost_eur as source_cost_eur
    from social_decisions

    union all

    select
        'social_contact' as source_table,
        social_contacts.contact_id as source_id,
        social_contacts.person_key,
        cast(social_contacts.contact_start as date) as event_date,
        cast(null as date) as event_end_date,
        social_contacts.service_key,
        social_contacts.service_task_code,
        coalesce(contact_channels.channel, 'other') as channel,
        false as is_emergency,
        cast(1 as {{ type_double() }}) as volume,
        'contact' as volume_unit,
        cast(null as {{ dbt.type_string() }}) as decision_type,
        social_contacts.cost_eur as source_cost_eur
    from social_contacts
    left join contact_channels
        on
            contact_channels.source_table = 'social_contact'
            and social_contacts.contact_type_code = contact_channels.contact_type_code

    union all

    select
        'income_support' as source_table,
        payment_id as source_id,
        person_key,
        payment_month as event_date,
        cast(null as date) as event_end_date,
        service_key,
        cast(null as {{ dbt.type_string() }}) as service_task_code,
        'payment' as channel,
        false as is_emergency,
        cast(1 as {{ type_double() }}) as volume,
        'payment' as volume_unit,
        cast(null as {{ dbt.type_string() }}) as decision_type,
        amount_eur as source_cost_eur
    from income_support

    union all

    select
        'crm_channel_contact' as source_table,
        interaction_id as source_id,
        person_key,
        cast(occurred_at as date) as event_date,
        cast(null as date) as event_end_date,
        service_key,
        cast(null as {{ dbt.type_string() }}) as service_task_code,
        channel,
        false as is_emergency,
        cast(1 as {{ type_double() }}) as volume,
        'interaction' as volume_unit,
        cast(null as {{ dbt.type_string() }}) as decision_type,
        cast(null as {{ type_double() }}) as source_cost_eur
    from crm_contacts
)

select * from unioned
