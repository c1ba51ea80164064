-- Source freshness: per raw table, the newest extract that delivered any of its rows (max loaded_at),
-- its age in days at `as_of`, and how many days it lags behind the newest table of the delivery.
-- `as_of` is the var `freshness_as_of` when set (pcdm run sets it to the extract time of a demo
-- county it generated itself), otherwise the time of the run. A feed that stopped shows as a table
-- whose newest extract is older than the others.
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
{%- set as_of = var('freshness_as_of', none) %}

with

newest as (
    {%- for source_table, base_model in base_models %}
        select
            '{{ source_table }}' as source_table,
            max(loaded_at) as newest_loaded_at
        from {{ base_model }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

delivery as (
    select
        max(newest_loaded_at) as newest_of_all,
        {% if as_of -%}
            cast('{{ as_of }}' as timestamp)
        {%- else -%}
            cast(current_timestamp as timestamp)
        {%- endif %} as as_of
    from newest
)

select
    newest.source_table,
    newest.newest_loaded_at,
    delivery.as_of,
    {{ days_between('cast(newest.newest_loaded_at as date)', 'cast(delivery.as_of as date)') }}
        as age_days,
    {{ days_between('cast(newest.newest_loaded_at as date)', 'cast(delivery.newest_of_all as date)') }}
        as days_behind_newest_table
from newest
cross join delivery
