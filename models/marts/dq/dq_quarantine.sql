-- Every raw row that could not be staged, with why. Identity codes are never shown: `raw_record`
-- holds the other raw values and `source_row_key` is pseudonymised where the key is an identity code.
{%- set base_models = [
    ('population_person', ref('base_population__persons')),
    ('population_id_link', ref('base_population__id_links')),
    ('health_contact', ref('base_health__contacts')),
    ('health_episode', ref('base_health__episodes')),
    ('health_diagnosis', ref('base_health__diagnoses')),
    ('health_procedure', ref('base_health__procedures')),
    ('social_decision', ref('base_social__decisions')),
    ('social_contact', ref('base_social__contacts')),
    ('income_support', ref('base_social__income_support_payments')),
    ('crm_channel_contact', ref('base_crm__channel_contacts')),
    ('crm_care_team', ref('base_crm__care_team_memberships')),
    ('crm_consent', ref('base_crm__consents')),
    ('care_plan', ref('base_crm__care_plans')),
    ('feedback_response', ref('base_crm__feedback_responses')),
    ('client_fee', ref('base_finance__client_fees')),
] %}

with

quarantined as (
    {%- for raw_table, base_model in base_models %}
        select
            '{{ raw_table }}' as source_table,
            source_row_key,
            quarantine_reason as reason_code,
            loaded_at,
            raw_record
        from {{ base_model }}
        where quarantine_reason is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

reasons as (
    select * from {{ ref('dq_reason_codes') }}
)

select
    quarantined.source_table,
    quarantined.source_row_key,
    quarantined.reason_code,
    reasons.reason_text,
    quarantined.loaded_at,
    quarantined.raw_record
from quarantined
left join reasons on quarantined.reason_code = reasons.reason_code
