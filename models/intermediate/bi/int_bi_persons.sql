-- One row per person in scope with the dimensions and measures of the BI marts: report age band,
-- sex, municipality (`undisclosed` under non-disclosure), language group, heavy-user group, Kaiser
-- tier, customer segment, banded service counts and window cost. The person key stays here: the
-- bi marts built on it publish aggregates only.
with

segments as (
    select * from {{ ref('int_person_segments') }}
),

persons as (
    select * from {{ ref('int_persons_in_scope') }}
)

select
    segments.person_key,
    segments.reference_date,
    {{ shown_municipality('segments.non_disclosure', 'segments.municipality_code') }} as municipality_code,
    segments.customer_segment,
    segments.window_cost_eur,
    segments.is_key_customer,
    segments.n_chronic,
    {{ report_age_band('cast(persons.age as integer)') }} as age_group,
    coalesce({{ sex_label('segments.sex_code') }}, 'unknown') as sex,
    case when persons.language_code in ('fi', 'sv') then persons.language_code else 'other' end as language_group,
    case when segments.is_heavy_user then 'yes' else 'no' end as heavy_user_group,
    cast(segments.kaiser_tier as {{ dbt.type_string() }}) as kaiser_tier,
    {{ count_band('segments.n_health_services') }} as n_health_services,
    {{ count_band('segments.n_social_services') }} as n_social_services
from segments
inner join persons on segments.person_key = persons.person_key
