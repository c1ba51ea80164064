-- What only the identified crm layer may hold never appears in the pseudonymous pcdm marts or the
-- aggregate bi marts: no column of the pcdm or bi schema carries an identity code (any column
-- documented with meta identity: true anywhere in the project, or named like a source id), a staff
-- id, or a crm-only column of crm_person_summary / crm_prompt / crm_service_timeline. Returns each
-- offending column. (tests/dbt/privacy/assert_bi_marts_hold_no_person_columns.sql also bars
-- pseudonymous keys from bi.) It runs after every pcdm and bi mart is built:
-- depends_on: {{ ref('dim_person') }}
-- depends_on: {{ ref('fct_service_event') }}
-- depends_on: {{ ref('person_care_gap') }}
-- depends_on: {{ ref('person_segment') }}
-- depends_on: {{ ref('person_service_usage') }}
-- depends_on: {{ ref('bi_cost_concentration') }}
-- depends_on: {{ ref('bi_customer_segments') }}
-- depends_on: {{ ref('bi_kaiser_pyramid') }}
-- depends_on: {{ ref('bi_quintuple_aim') }}
-- depends_on: {{ ref('bi_service_cooccurrence') }}
-- depends_on: {{ ref('bi_service_count_distribution') }}
-- depends_on: {{ ref('bi_service_transitions') }}
-- depends_on: {{ ref('bi_service_users') }}
{%- set crm_only = [
    'person_id', 'recorded_person_id', 'temporary_id', 'professional_id', 'responsible_professional_id',
    'care_team', 'consents_in_force', 'is_social_care_withheld', 'social_services', 'social_service_tasks',
    'topic_code', 'matters_in_several_channels', 'has_matter_in_several_channels', 'open_plan_types',
    'prompt_key', 'prompt_type', 'reason_fi', 'reason_en', 'reason_detail', 'responsible_unit',
    'event_sequence', 'last_contact_date', 'is_non_disclosure',
] %}
{%- set identity_columns = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() %}
        {%- for column in node.get('columns', {}).values() %}
            {%- set meta = column.get('meta', {}) or {} %}
            {%- set config_meta = (column.get('config', {}) or {}).get('meta', {}) or {} %}
            {%- if meta.get('identity') or config_meta.get('identity') %}
                {%- do identity_columns.append(column.name | lower) %}
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
{%- endif %}
{%- set forbidden = (crm_only + identity_columns) | unique | list %}

select
    table_schema,
    table_name,
    column_name
from (
    {{ model_columns([generate_schema_name("pcdm", none) | trim, generate_schema_name("bi", none) | trim]) }}
) as mart_columns
where
    column_name in ('{{ forbidden | join("', '") }}')
    or column_name like '%!_id' escape '!'
