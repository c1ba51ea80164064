-- The CRM worklist: one row per prompt (reminder) for a person in scope at R, with the reason a
-- professional understands, its priority and who acts on it - the responsible professional in
-- force, or else the prompt type's unit. Prompt types, texts, priorities and on/off switches are
-- configuration (seeds/crm_prompt_types.csv); the months of the no-contact rule are a var.
with

summary as (
    select * from {{ ref('crm_person_summary') }}
),

care_gaps as (
    select * from {{ ref('person_care_gap') }}
),

prompt_types as (
    select * from {{ ref('crm_prompt_types') }}
    where is_enabled
),

prompts as (
    select
        person_key,
        gap_reason as prompt_type,
        cast(null as {{ dbt.type_string() }}) as reason_detail
    from care_gaps

    union all

    select
        person_key,
        'emergency_use_without_plan' as prompt_type,
        cast(null as {{ dbt.type_string() }}) as reason_detail
    from summary
    where is_emergency_user and n_open_plans = 0

    union all

    select
        person_key,
        'matter_in_several_channels' as prompt_type,
        matters_in_several_channels as reason_detail
    from summary
    where has_matter_in_several_channels

    union all

    select
        person_key,
        'key_customer_no_contact' as prompt_type,
        cast(last_contact_date as {{ dbt.type_string() }}) as reason_detail
    from summary
    where
        is_key_customer
        and (
            last_contact_date is null
            or last_contact_date <= cast({{ dbt.dateadd('month', -var('crm_prompt_no_contact_months'), 'reference_date') }} as date)
        )
)

select
    md5(prompts.person_key || ':' || prompts.prompt_type) as prompt_key,
    summary.person_id,
    prompts.person_key,
    summary.reference_date,
    prompts.prompt_type,
    prompt_types.priority,
    replace(prompt_types.reason_fi, '{months}', '{{ var("crm_prompt_no_contact_months") }}') as reason_fi,
    replace(prompt_types.reason_en, '{months}', '{{ var("crm_prompt_no_contact_months") }}') as reason_en,
    prompts.reason_detail,
    summary.responsible_professional_id,
    case when summary.responsible_professional_id is null then prompt_types.responsible_unit end
        as responsible_unit
from prompts
inner join prompt_types on prompts.prompt_type = prompt_types.prompt_type
inner join summary on prompts.person_key = summary.person_key
