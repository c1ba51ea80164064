-- Join coverage: the share of social clients and of health patients whose identity code is found
-- in the population register, per source table and per domain, for all months and per month, and
-- the share of social clients in scope who are also health patients. Computed from the base models
-- (every delivered row, quarantined ones included); only counts leave this model.
{%- set sources = [
    ('health_contact', 'health', ref('base_health__contacts'), 'contact_start'),
    ('health_episode', 'health', ref('base_health__episodes'), 'admission_date'),
    ('social_decision', 'social', ref('base_social__decisions'), 'decision_date'),
    ('social_contact', 'social', ref('base_social__contacts'), 'contact_start'),
    ('income_support', 'social', ref('base_social__income_support_payments'), 'payment_month'),
] %}

with

delivered as (
    {%- for source_table, domain, base_model, date_column in sources %}
        select
            '{{ source_table }}' as source_table,
            '{{ domain }}' as source_domain,
            person_id,
            person_check is null as is_found,
            left(cast(cast({{ date_column }} as date) as {{ dbt.type_string() }}), 7) as event_month
        from {{ base_model }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- one row per source table, month and person_id (rows found: is_found), then the four scopes of
-- the same counts from it: every count is a sum of rows or a count of persons
person_months as (
    select
        source_table,
        source_domain,
        event_month,
        person_id,
        count(*) as rows_checked,
        count(case when is_found then 1 end) as rows_found
    from delivered
    group by source_table, source_domain, event_month, person_id
),

person_tables as (
    select
        source_table,
        source_domain,
        person_id,
        sum(rows_checked) as rows_checked,
        sum(rows_found) as rows_found
    from person_months
    group by source_table, source_domain, person_id
),

person_domain_months as (
    select
        source_domain,
        event_month,
        person_id,
        sum(rows_checked) as rows_checked,
        sum(rows_found) as rows_found
    from person_months
    where event_month is not null
    group by source_domain, event_month, person_id
),

person_domains as (
    select
        source_domain,
        person_id,
        sum(rows_checked) as rows_checked,
        sum(rows_found) as rows_found
    from person_tables
    group by source_domain, person_id
),

scoped as (
    select
        'source_table' as coverage_scope,
        source_table as scope_name,
        'all' as period,
        person_id,
        rows_checked,
        rows_found
    from person_tables
    union all
    select
        'source_table' as coverage_scope,
        source_table as scope_name,
        event_month as period,
        person_id,
        rows_checked,
        rows_found
    from person_months
    where event_month is not null
    union all
    select
        'domain' as coverage_scope,
        source_domain as scope_name,
        'all' as period,
        person_id,
        rows_checked,
        rows_found
    from person_domains
    union all
    select
        'domain' as coverage_scope,
        source_domain as scope_name,
        event_month as period,
        person_id,
        rows_checked,
        rows_found
    from person_domain_months
),

-- a person_id is on one row of its scope: count(person_id) counts distinct persons (not null)
register_coverage as (
    select
        coverage_scope,
        scope_name,
        period,
        cast(sum(rows_checked) as {{ dbt.type_bigint() }}) as rows_checked,
        cast(sum(rows_found) as {{ dbt.type_bigint() }}) as rows_found,
        count(person_id) as persons_checked,
        count(case when rows_found > 0 then person_id end) as persons_found
    from scoped
    group by coverage_scope, scope_name, period
),

persons_in_scope as (
    select person_key from {{ ref('dim_person') }}
    where is_in_scope
),

domain_users as (
    select
        events.person_key,
        max(case when events.domain = 'social' then 1 else 0 end) as is_social_client,
        max(case when events.domain = 'health' then 1 else 0 end) as is_health_patient
    from {{ ref('fct_service_event') }} as events
    inner join persons_in_scope on events.person_key = persons_in_scope.person_key
    group by events.person_key
),

both_domains as (
    select
        'both_domains' as coverage_scope,
        'social_clients_in_health' as scope_name,
        'all' as period,
        count(case when is_social_client = 1 then 1 end) as rows_checked,
        count(case when is_social_client = 1 and is_health_patient = 1 then 1 end) as rows_found,
        count(case when is_social_client = 1 then 1 end) as persons_checked,
        count(case when is_social_client = 1 and is_health_patient = 1 then 1 end) as persons_found
    from domain_users
),

unioned as (
    select * from register_coverage
    union all
    select * from both_domains
)

select
    coverage_scope,
    scope_name,
    period,
    rows_checked,
    rows_found,
    persons_checked,
    persons_found,
    cast(case when persons_checked > 0 then persons_found * 1.0 / persons_checked end as {{ type_double() }}) as coverage_share,
    cast(case when rows_checked > 0 then rows_found * 1.0 / rows_checked end as {{ type_double() }}) as row_coverage_share
from unioned
