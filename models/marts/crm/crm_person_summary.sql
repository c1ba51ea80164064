-- The professional's one view of the customer (primary use, identified, restricted layer): one row
-- per person in scope with the identity code, basic and risk information, care team, services,
-- recent contacts by channel, consents and open plans at R. Social-care details only when a
-- `social_health_data_sharing` consent is in force at R. Rules: _crm__models.yml.
with

segments as (
    select * from {{ ref('person_segment') }}
),

-- The facts behind the published segmentation (is_emergency_user, from the heavy-use step).
segment_facts as (
    select * from {{ ref('int_person_segments') }}
),

dim_persons as (
    select * from {{ ref('dim_person') }}
),

register as (
    select * from {{ ref('stg_population__persons') }}
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

care_team as (
    select * from {{ ref('stg_crm__care_team_memberships') }}
),

consents as (
    select * from {{ ref('stg_crm__consents') }}
),

care_plans as (
    select * from {{ ref('stg_crm__care_plans') }}
),

channel_contacts as (
    select * from {{ ref('stg_crm__channel_contacts') }}
),

usage as (
    select * from {{ ref('person_service_usage') }}
),

window_events as (
    select * from {{ ref('int_service_events_in_window') }}
),

service_events as (
    select * from {{ ref('fct_service_event') }}
),

-- Consents: of the rows in force at R (valid_from <= R <= valid_to, open valid_to), per person and
-- consent type the one with the latest valid_from decides; on the same valid_from the more
-- restrictive status wins (withdrawn, then denied, then given), then the latest delivery.
consents_ranked as (
    select
        consents.person_key,
        consents.consent_type,
        consents.status,
        row_number() over (
            partition by consents.person_key, consents.consent_type
            order by
                consents.valid_from desc,
                case consents.status when 'withdrawn' then 1 when 'denied' then 2 else 3 end,
                consents.loaded_at desc,
                consents.consent_id desc
        ) as precedence
    from consents
    cross join reference_period
    where
        {{ in_force_at('consents.valid_from', 'consents.valid_to') }}
),

consents_at_r as (
    select
        person_key,
        {{ dbt.listagg('consent_type', "','", 'order by consent_type') }} as consents_in_force,
        max(case when consent_type = 'social_health_data_sharing' then 1 else 0 end) = 1 as has_data_sharing_consent
    from consents_ranked
    where precedence = 1 and status = 'given'
    group by person_key
),

team_at_r as (
    select distinct
        care_team.person_key,
        care_team.role,
        care_team.professional_id,
        care_team.valid_from
    from care_team
    cross join reference_period
    where
        {{ in_force_at('care_team.valid_from', 'care_team.valid_to') }}
),

responsible as (
    select
        person_key,
        professional_id,
        row_number() over (partition by person_key order by valid_from desc, professional_id asc) as precedence
    from team_at_r
    where role = 'responsible_professional'
),

team_members as (
    select distinct
        person_key,
        role || ':' || professional_id as member
    from team_at_r
),

team_lists as (
    select
        person_key,
        {{ dbt.listagg('member', "','", 'order by member') }} as care_team
    from team_members
    group by person_key
),

service_lists as (
    select
        person_key,
        {{ dbt.listagg("case when domain = 'health' then service_key end", "','", 'order by service_key') }}
            as health_services,
        {{ dbt.listagg("case when domain = 'social' then service_key end", "','", 'order by service_key') }}
            as social_services
    from usage
    group by person_key
),

social_tasks as (
    select distinct
        person_key,
        service_task_code
    from window_events
    where domain = 'social' and service_task_code is not null
),

social_task_lists as (
    select
        person_key,
        {{ dbt.listagg('service_task_code', "','", 'order by service_task_code') }} as social_service_tasks
    from social_tasks
    group by person_key
),

recent_contacts as (
    select
        channel_contacts.person_key,
        channel_contacts.channel,
        channel_contacts.topic_code,
        cast(channel_contacts.occurred_at as date) as contact_date
    from channel_contacts
    cross join reference_period
    where
        {{ in_window(
            'cast(channel_contacts.occurred_at as date)',
            window_start='cast(' ~ dbt.dateadd('day', -90, 'reference_period.reference_date') ~ ' as date)'
        ) }}
),

channel_counts as (
    select
        person_key,
        count(*) as n_contacts_90d,
        count(case when channel = 'phone' then 1 end) as n_contacts_phone,
        count(case when channel = 'chat' then 1 end) as n_contacts_chat,
        count(case when channel = 'e_service' then 1 end) as n_contacts_e_service,
        count(case when channel = 'letter' then 1 end) as n_contacts_letter,
        count(case when channel = 'walk_in' then 1 end) as n_contacts_walk_in
    from recent_contacts
    group by person_key
),

-- The same topic raised in two different channels no more than 30 days apart, both in the 90 days.
matters as (
    select distinct
        first_contact.person_key,
        first_contact.topic_code
    from recent_contacts as first_contact
    inner join recent_contacts as second_contact
        on
            first_contact.person_key = second_contact.person_key
            and first_contact.topic_code = second_contact.topic_code
            and first_contact.channel < second_contact.channel
            and abs({{ dbt.datediff('first_contact.contact_date', 'second_contact.contact_date', 'day') }}) <= 30
),

matter_lists as (
    select
        person_key,
        {{ dbt.listagg('topic_code', "','", 'order by topic_code') }} as matters_in_several_channels
    from matters
    group by person_key
),

last_contacts as (
    select
        service_events.person_key,
        max(service_events.event_date) as last_contact_date
    from service_events
    cross join reference_period
    left join consents_at_r on service_events.person_key = consents_at_r.person_key
    where
        service_events.event_date <= reference_period.reference_date
        and (
            service_events.source_table in ('health_contact', 'health_episode', 'crm_channel_contact')
            or (service_events.source_table = 'social_contact' and consents_at_r.has_data_sharing_consent)
        )
    group by service_events.person_key
),

open_plans as (
    select
        care_plans.person_key,
        count(*) as n_open_plans,
        {{ dbt.listagg('care_plans.plan_type', "','", 'order by care_plans.plan_type') }} as open_plan_types,
        min(care_plans.next_review_date) as next_review_date
    from care_plans
    cross join reference_period
    where
        {{ plan_open_at('care_plans.created_date', 'care_plans.closed_date') }}
    group by care_plans.person_key
),

combined as (
    select
        register.person_id,
        segments.person_key,
        segments.reference_date,
        segments.rule_version,
        dim_persons.age,
        segments.age_group,
        segments.sex,
        dim_persons.language_code,
        segments.kaiser_tier,
        segments.customer_segment,
        segments.is_heavy_user,
        segments.heavy_user_reasons,
        segments.n_chronic,
        segments.chronic_groups,
        segments.is_key_customer,
        segments.is_cost_top_decile,
        segments.has_care_gap,
        responsible.professional_id as responsible_professional_id,
        team_lists.care_team,
        service_lists.health_services,
        service_lists.social_services as social_services_unfiltered,
        social_task_lists.social_service_tasks as social_service_tasks_unfiltered,
        matter_lists.matters_in_several_channels,
        last_contacts.last_contact_date,
        consents_at_r.consents_in_force,
        open_plans.open_plan_types,
        open_plans.next_review_date,
        coalesce(register.non_disclosure, false) as is_non_disclosure,
        {{ shown_municipality('register.non_disclosure', 'register.municipality_code') }} as municipality_code,
        segment_facts.is_emergency_user,
        coalesce(consents_at_r.has_data_sharing_consent, false) as has_data_sharing_consent,
        coalesce(channel_counts.n_contacts_90d, 0) as n_contacts_90d,
        coalesce(channel_counts.n_contacts_phone, 0) as n_contacts_phone,
        coalesce(channel_counts.n_contacts_chat, 0) as n_contacts_chat,
        coalesce(channel_counts.n_contacts_e_service, 0) as n_contacts_e_service,
        coalesce(channel_counts.n_contacts_letter, 0) as n_contacts_letter,
        coalesce(channel_counts.n_contacts_walk_in, 0) as n_contacts_walk_in,
        coalesce(open_plans.n_open_plans, 0) as n_open_plans
    from segments
    inner join dim_persons on segments.person_key = dim_persons.person_key
    inner join register on segments.person_key = register.person_key
    inner join segment_facts on segments.person_key = segment_facts.person_key
    left join consents_at_r on segments.person_key = consents_at_r.person_key
    left join responsible on segments.person_key = responsible.person_key and responsible.precedence = 1
    left join team_lists on segments.person_key = team_lists.person_key
    left join service_lists on segments.person_key = service_lists.person_key
    left join social_task_lists on segments.person_key = social_task_lists.person_key
    left join channel_counts on segments.person_key = channel_counts.person_key
    left join matter_lists on segments.person_key = matter_lists.person_key
    left join last_contacts on segments.person_key = last_contacts.person_key
    left join open_plans on segments.person_key = open_plans.person_key
)

select
    person_id,
    person_key,
    reference_date,
    rule_version,
    age_group,
    sex,
    language_code,
    is_non_disclosure,
    municipality_code,
    kaiser_tier,
    customer_segment,
    is_heavy_user,
    heavy_user_reasons,
    n_chronic,
    chronic_groups,
    is_key_customer,
    is_cost_top_decile,
    is_emergency_user,
    has_care_gap,
    responsible_professional_id,
    care_team,
    health_services,
    n_contacts_90d,
    n_contacts_phone,
    n_contacts_chat,
    n_contacts_e_service,
    n_contacts_letter,
    n_contacts_walk_in,
    matters_in_several_channels,
    last_contact_date,
    consents_in_force,
    n_open_plans,
    open_plan_types,
    next_review_date,
    cast(age as integer) as age,
    case when has_data_sharing_consent then social_services_unfiltered end as social_services,
    case when has_data_sharing_consent then social_service_tasks_unfiltered end as social_service_tasks,
    not has_data_sharing_consent as is_social_care_withheld,
    matters_in_several_channels is not null as has_matter_in_several_channels,
    coalesce(next_review_date < reference_date, false) as has_overdue_plan_review
from combined
