-- Per raw table: rows delivered, rows staged, rows quarantined. Nothing is lost when
-- raw_rows = staged_rows + quarantined_rows (tested by assert_raw_equals_staged_plus_quarantined).
{%- set tables = [
    ('population_person', source('population', 'population_person'), ref('stg_population__persons')),
    ('population_id_link', source('population', 'population_id_link'), ref('stg_population__id_links')),
    ('health_contact', source('health', 'health_contact'), ref('stg_health__contacts')),
    ('health_episode', source('health', 'health_episode'), ref('stg_health__episodes')),
    ('health_diagnosis', source('health', 'health_diagnosis'), ref('stg_health__diagnoses')),
    ('health_procedure', source('health', 'health_procedure'), ref('stg_health__procedures')),
    ('social_decision', source('social', 'social_decision'), ref('stg_social__decisions')),
    ('social_contact', source('social', 'social_contact'), ref('stg_social__contacts')),
    ('income_support', source('social', 'income_support'), ref('stg_social__income_support_payments')),
    ('crm_channel_contact', source('crm', 'crm_channel_contact'), ref('stg_crm__channel_contacts')),
    ('crm_care_team', source('crm', 'crm_care_team'), ref('stg_crm__care_team_memberships')),
    ('crm_consent', source('crm', 'crm_consent'), ref('stg_crm__consents')),
    ('care_plan', source('crm', 'care_plan'), ref('stg_crm__care_plans')),
    ('feedback_response', source('crm', 'feedback_response'), ref('stg_crm__feedback_responses')),
    ('client_fee', source('finance', 'client_fee'), ref('stg_finance__client_fees')),
] %}

with

counts as (
    {%- for raw_table, raw_relation, staged_relation in tables %}
        select
            '{{ raw_table }}' as source_table,
            (select count(*) from {{ raw_relation }}) as raw_rows,
            (select count(*) from {{ staged_relation }}) as staged_rows
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

quarantined as (
    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('dq_quarantine') }}
    group by source_table
)

select
    counts.source_table,
    counts.raw_rows,
    counts.staged_rows,
    coalesce(quarantined.quarantined_rows, 0) as quarantined_rows,
    counts.raw_rows - counts.staged_rows - coalesce(quarantined.quarantined_rows, 0) as unaccounted_rows
from counts
left join quarantined on counts.source_table = quarantined.source_table
