{#-
    The tables of the raw contract, each with its source, its base model (every raw row, with
    quarantine_reason) and its stg model (the usable rows): the one list the dq models loop over.
    Returns dicts {table, source, base, stg}; a model calls ref()/source() on the names.
-#}
{% macro raw_tables() -%}
    {{ return([
        {'table': 'population_person', 'source': 'population', 'base': 'base_population__persons', 'stg': 'stg_population__persons'},
        {'table': 'population_id_link', 'source': 'population', 'base': 'base_population__id_links', 'stg': 'stg_population__id_links'},
        {'table': 'health_contact', 'source': 'health', 'base': 'base_health__contacts', 'stg': 'stg_health__contacts'},
        {'table': 'health_episode', 'source': 'health', 'base': 'base_health__episodes', 'stg': 'stg_health__episodes'},
        {'table': 'health_diagnosis', 'source': 'health', 'base': 'base_health__diagnoses', 'stg': 'stg_health__diagnoses'},
        {'table': 'health_procedure', 'source': 'health', 'base': 'base_health__procedures', 'stg': 'stg_health__procedures'},
        {'table': 'social_decision', 'source': 'social', 'base': 'base_social__decisions', 'stg': 'stg_social__decisions'},
        {'table': 'social_contact', 'source': 'social', 'base': 'base_social__contacts', 'stg': 'stg_social__contacts'},
        {'table': 'income_support', 'source': 'social', 'base': 'base_social__income_support_payments', 'stg': 'stg_social__income_support_payments'},
        {'table': 'crm_channel_contact', 'source': 'crm', 'base': 'base_crm__channel_contacts', 'stg': 'stg_crm__channel_contacts'},
        {'table': 'crm_care_team', 'source': 'crm', 'base': 'base_crm__care_team_memberships', 'stg': 'stg_crm__care_team_memberships'},
        {'table': 'crm_consent', 'source': 'crm', 'base': 'base_crm__consents', 'stg': 'stg_crm__consents'},
        {'table': 'care_plan', 'source': 'crm', 'base': 'base_crm__care_plans', 'stg': 'stg_crm__care_plans'},
        {'table': 'feedback_response', 'source': 'crm', 'base': 'base_crm__feedback_responses', 'stg': 'stg_crm__feedback_responses'},
        {'table': 'client_fee', 'source': 'finance', 'base': 'base_finance__client_fees', 'stg': 'stg_finance__client_fees'},
    ]) }}
{%- endmacro %}
