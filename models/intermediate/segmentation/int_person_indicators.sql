-- One row per person in scope with the facts the segmentation rules need besides service usage and
-- chronic conditions: unplanned admissions and demanding oral procedures in the 12-month window,
-- distinct months with income support in it, and at R: an open care plan (created on or before R,
-- not closed by R), an open plan whose next review is before R, a responsible professional in force.
with

persons as (
    select person_key from {{ ref('int_persons_in_scope') }}
    where is_in_scope
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

events as (
    select * from {{ ref('int_service_events_in_window') }}
),

contacts as (
    select * from {{ ref('stg_health__contacts') }}
),

procedures as (
    select * from {{ ref('stg_health__procedures') }}
),

oral_procedure_codes as (
    select * from {{ ref('oral_procedure_codes') }}
),

care_plans as (
    select * from {{ ref('stg_crm__care_plans') }}
),

care_team as (
    select * from {{ ref('stg_crm__care_team_memberships') }}
),

event_facts as (
    select
        events.person_key,
        count(
            case
                when
                    events.source_table = 'health_episode' and events.is_emergency
                    and events.event_date > reference_period.window_12m_after
                    then events.event_key
            end
        ) as n_unplanned_admissions,
        count(distinct case when events.source_table = 'income_support' then events.event_date end)
            as n_income_support_months
    from events
    cross join reference_period
    group by events.person_key
),

demanding_oral as (
    select distinct contacts.person_key
    from procedures
    inner join contacts on procedures.contact_id = contacts.contact_id
    inner join oral_procedure_codes
        on procedures.procedure_code = oral_procedure_codes.procedure_code
    cross join reference_period
    where
        oral_procedure_codes.is_demanding
        and {{ in_window('cast(contacts.contact_start as date)') }}
),

plans_at_r as (
    select
        care_plans.person_key,
        max(case when care_plans.next_review_date < reference_period.reference_date then 1 else 0 end)
            as has_overdue_review
    from care_plans
    cross join reference_period
    where
        {{ plan_open_at('care_plans.created_date', 'care_plans.closed_date') }}
    group by care_plans.person_key
),

responsible_at_r as (
    select distinct care_team.person_key
    from care_team
    cross join reference_period
    where
        care_team.role = 'responsible_professional'
        and {{ in_force_at('care_team.valid_from', 'care_team.valid_to') }}
)

select
    persons.person_key,
    coalesce(event_facts.n_unplanned_admissions, 0) as n_unplanned_admissions,
    coalesce(event_facts.n_income_support_months, 0) as n_income_support_months,
    demanding_oral.person_key is not null as has_demanding_oral_procedure,
    plans_at_r.person_key is not null as has_open_care_plan,
    coalesce(plans_at_r.has_overdue_review = 1, false) as has_overdue_plan_review,
    responsible_at_r.person_key is not null as has_responsible_professional
from persons
left join event_facts on persons.person_key = event_facts.person_key
left join demanding_oral on persons.person_key = demanding_oral.person_key
left join plans_at_r on persons.person_key = plans_at_r.person_key
left join responsible_at_r on persons.person_key = responsible_at_r.person_key
