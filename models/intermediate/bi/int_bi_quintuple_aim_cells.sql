-- The cells of bi_quintuple_aim (true counts, not published; the mart publishes them through the
-- disclosure control, docs/privacy.md).
-- Indicators of the quintuple aim (docs/quintuple-aim.md) for the persons in scope, for every combination
-- of municipality, customer segment, sex and language group (`all` a level of each; the sex and language
-- rows are the equity view): customer experience (NPS, mean EQ-5D-5L score), population health (share with
-- a chronic condition, share in Kaiser tier 3), cost per resident and professional workload (contacts per
-- professional), all over the 12-month window. The counts behind the two shares (persons with a chronic condition, in tier 3) are kept here for the
-- disclosure control, which publishes each share only where both it and its complement are safe. Indicators over a few answers or professionals
-- are withheld too: NPS and the PROM mean need at least min_cell_size answers, contacts per professional
-- at least min_cell_size professionals; those counts are never published.
with

persons as (
    select * from {{ ref('int_bi_persons') }}
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

feedback_responses as (
    select * from {{ ref('stg_crm__feedback_responses') }}
),

health_contacts as (
    select * from {{ ref('stg_health__contacts') }}
),

social_contacts as (
    select * from {{ ref('stg_social__contacts') }}
),

-- Attributable answers in the window: anonymous answers (no person_key) cannot be placed in a group.
responses_in_window as (
    select
        feedback_responses.person_key,
        feedback_responses.nps_score,
        case
            when feedback_responses.prom_instrument = 'EQ-5D-5L' then feedback_responses.prom_score
        end as eq5d_score
    from feedback_responses
    cross join reference_period
    where
        feedback_responses.person_key is not null
        and {{ in_window('cast(feedback_responses.responded_at as date)') }}
),

contacts_unioned as (
    select
        person_key,
        contact_start,
        professional_id
    from health_contacts

    union all

    select
        person_key,
        contact_start,
        professional_id
    from social_contacts
),

contacts_in_window as (
    select
        contacts_unioned.person_key,
        contacts_unioned.professional_id
    from contacts_unioned
    cross join reference_period
    where
        contacts_unioned.professional_id is not null
        and {{ in_window('cast(contacts_unioned.contact_start as date)') }}
),

person_measures as (
    select
        reference_date,
        {{ cube_level('municipality_code') }} as municipality_code,
        {{ cube_level('customer_segment') }} as customer_segment,
        {{ cube_level('sex') }} as sex,
        {{ cube_level('language_group') }} as language_group,
        count(*) as n_persons,
        sum(case when n_chronic >= 1 then 1 else 0 end) as n_with_chronic_condition,
        sum(case when kaiser_tier = '3' then 1 else 0 end) as n_kaiser_tier_3,
        coalesce({{ exact_sum('window_cost_eur') }}, 0) as window_cost_eur
    from persons
    group by reference_date, cube(municipality_code, customer_segment, sex, language_group)
),

response_measures as (
    select
        persons.reference_date,
        {{ cube_level('persons.municipality_code') }} as municipality_code,
        {{ cube_level('persons.customer_segment') }} as customer_segment,
        {{ cube_level('persons.sex') }} as sex,
        {{ cube_level('persons.language_group') }} as language_group,
        count(responses_in_window.nps_score) as n_nps_responses,
        sum(case when responses_in_window.nps_score >= 9 then 1 else 0 end) as n_promoters,
        sum(case when responses_in_window.nps_score <= 6 then 1 else 0 end) as n_detractors,
        count(responses_in_window.eq5d_score) as n_prom_responses,
        {{ exact_sum('responses_in_window.eq5d_score') }}
        / nullif(count(responses_in_window.eq5d_score), 0) as mean_prom_score
    from responses_in_window
    inner join persons on responses_in_window.person_key = persons.person_key
    group by
        persons.reference_date,
        cube(persons.municipality_code, persons.customer_segment, persons.sex, persons.language_group)
),

contact_measures as (
    select
        persons.reference_date,
        {{ cube_level('persons.municipality_code') }} as municipality_code,
        {{ cube_level('persons.customer_segment') }} as customer_segment,
        {{ cube_level('persons.sex') }} as sex,
        {{ cube_level('persons.language_group') }} as language_group,
        count(*) as n_contacts,
        count(distinct contacts_in_window.professional_id) as n_professionals
    from contacts_in_window
    inner join persons on contacts_in_window.person_key = persons.person_key
    group by
        persons.reference_date,
        cube(persons.municipality_code, persons.customer_segment, persons.sex, persons.language_group)
),

aggregated as (
    select
        person_measures.reference_date,
        person_measures.municipality_code,
        person_measures.customer_segment,
        person_measures.sex,
        person_measures.language_group,
        person_measures.n_persons,
        cast(
            case
                when response_measures.n_nps_responses >= {{ var('min_cell_size') }}
                    then
                        100.0 * (response_measures.n_promoters - response_measures.n_detractors)
                        / response_measures.n_nps_responses
            end as {{ type_double() }}
        ) as nps,
        cast(
            case
                when response_measures.n_prom_responses >= {{ var('min_cell_size') }}
                    then response_measures.mean_prom_score
            end as {{ type_double() }}
        ) as mean_prom_score,
        person_measures.n_with_chronic_condition,
        person_measures.n_kaiser_tier_3,
        cast(
            1.0 * person_measures.n_with_chronic_condition / person_measures.n_persons as {{ type_double() }}
        ) as share_with_chronic_condition,
        cast(1.0 * person_measures.n_kaiser_tier_3 / person_measures.n_persons as {{ type_double() }}) as share_kaiser_tier_3,
        cast({{ round_to('person_measures.window_cost_eur / person_measures.n_persons', 2) }} as {{ type_double() }}) as cost_per_resident_eur,
        cast(
            case
                when contact_measures.n_professionals >= {{ var('min_cell_size') }}
                    then 1.0 * contact_measures.n_contacts / contact_measures.n_professionals
            end as {{ type_double() }}
        ) as contacts_per_professional
    from person_measures
    left join response_measures
        on
            person_measures.reference_date = response_measures.reference_date
            and person_measures.municipality_code = response_measures.municipality_code
            and person_measures.customer_segment = response_measures.customer_segment
            and person_measures.sex = response_measures.sex
            and person_measures.language_group = response_measures.language_group
    left join contact_measures
        on
            person_measures.reference_date = contact_measures.reference_date
            and person_measures.municipality_code = contact_measures.municipality_code
            and person_measures.customer_segment = contact_measures.customer_segment
            and person_measures.sex = contact_measures.sex
            and person_measures.language_group = contact_measures.language_group
),

-- Every combination of the levels, 0 where nobody is in it (macros/privacy/dense_grid.sql).
dense as (
    {{ dense_grid(
        'aggregated',
        cube=['municipality_code', 'customer_segment', 'sex', 'language_group'],
        fixed=['reference_date'],
        counts=['n_persons', 'n_with_chronic_condition', 'n_kaiser_tier_3'],
        values=['nps', 'mean_prom_score', 'share_with_chronic_condition', 'share_kaiser_tier_3', 'cost_per_resident_eur', 'contacts_per_professional'],
    ) }}
)

select
    {{ bi_cell_id(['municipality_code', 'customer_segment', 'sex', 'language_group']) }} as cell_id,
    reference_date,
    municipality_code,
    customer_segment,
    sex,
    language_group,
    n_persons,
    n_with_chronic_condition,
    n_kaiser_tier_3,
    nps,
    mean_prom_score,
    share_with_chronic_condition,
    share_kaiser_tier_3,
    cost_per_resident_eur,
    contacts_per_professional
from dense
