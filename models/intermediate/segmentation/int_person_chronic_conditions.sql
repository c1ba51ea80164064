-- One row per person and chronic condition group diagnosed in the 24-month window
-- (R - 2 years < d <= R): diagnoses of any rank on a contact dated in the window or on an episode
-- whose stay overlaps it, mapped by seeds/chronic_condition_codes.csv (an ICD-10 code by its prefix,
-- e.g. E11 matches E11.9, dots ignored; an ICPC-2 code by its code).
with

diagnoses as (
    select * from {{ ref('stg_health__diagnoses') }}
),

contacts as (
    select * from {{ ref('stg_health__contacts') }}
),

episodes as (
    select * from {{ ref('stg_health__episodes') }}
),

condition_codes as (
    select * from {{ ref('chronic_condition_codes') }}
),

condition_groups as (
    select * from {{ ref('chronic_condition_groups') }}
),

reference_period as (
    select * from {{ ref('int_reference_period') }}
),

diagnoses_in_window as (
    select
        contacts.person_key,
        diagnoses.diagnosis_code_compact,
        diagnoses.code_system
    from diagnoses
    inner join contacts
        on diagnoses.record_type = 'contact' and diagnoses.record_id = contacts.contact_id
    cross join reference_period
    where
        {{ in_window('cast(contacts.contact_start as date)', 'reference_period.window_24m_after') }}

    union all

    select
        episodes.person_key,
        diagnoses.diagnosis_code_compact,
        diagnoses.code_system
    from diagnoses
    inner join episodes
        on diagnoses.record_type = 'episode' and diagnoses.record_id = episodes.episode_id
    cross join reference_period
    where
        episodes.admission_date <= reference_period.reference_date
        and coalesce(episodes.discharge_date, reference_period.reference_date) > reference_period.window_24m_after
),

-- the code list as prefixes without dots, and the prefix lengths it has per code system: each
-- diagnosis is matched by an equality on its own prefix of each length (a join on keys, where a
-- join on substr(code, 1, length(prefix)) = prefix compares every diagnosis with every prefix)
code_prefixes as (
    select
        code_system,
        chronic_group,
        replace(code_prefix, '.', '') as compact_prefix
    from condition_codes
),

prefix_lengths as (
    select distinct
        code_system,
        length(compact_prefix) as prefix_length
    from code_prefixes
),

diagnosis_prefixes as (
    select distinct
        diagnoses_in_window.person_key,
        diagnoses_in_window.code_system,
        substr(diagnoses_in_window.diagnosis_code_compact, 1, prefix_lengths.prefix_length) as code_start
    from diagnoses_in_window
    inner join prefix_lengths on diagnoses_in_window.code_system = prefix_lengths.code_system
    where length(diagnoses_in_window.diagnosis_code_compact) >= prefix_lengths.prefix_length
)

select distinct
    diagnosis_prefixes.person_key,
    code_prefixes.chronic_group,
    condition_groups.limits_self_care
from diagnosis_prefixes
inner join code_prefixes
    on
        diagnosis_prefixes.code_system = code_prefixes.code_system
        and diagnosis_prefixes.code_start = code_prefixes.compact_prefix
inner join condition_groups on code_prefixes.chronic_group = condition_groups.chronic_group
