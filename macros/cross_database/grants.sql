{#-
    Who may read what: the `grants` of dbt_project.yml (select on every table of a layer, per role).
    PostgreSQL enforces them with real roles: on-run-start creates the roles the grants name (NOLOGIN
    group roles; a county grants them to its users, or has its DBA create them first and sets the var
    create_reader_roles false), dbt grants select on each table, and on-run-end lets those roles use
    the layer's schema. DuckDB has no roles, and Spark's own tables none that dbt can manage, so
    there grants are not applied (on Databricks use Unity Catalog permissions).
-#}

{#- {schema: [role, ...]} from the grants of the project's models. -#}
{% macro reader_roles_by_schema() -%}
    {%- set readers = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == 'pcdm' -%}
        {%- for role in node.config.get('grants', {}).get('select', []) -%}
            {%- do readers.setdefault(node.schema, []) -%}
            {%- do readers[node.schema].append(role) if role not in readers[node.schema] -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(readers) }}
{%- endmacro %}

{% macro create_reader_roles() -%}
    {{ return(adapter.dispatch('create_reader_roles', 'pcdm')()) }}
{%- endmacro %}

{% macro default__create_reader_roles() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_reader_roles() -%}
    {%- set roles = [] -%}
    {%- if execute and var('create_reader_roles', true) -%}
        {%- for schema_roles in pcdm.reader_roles_by_schema().values() -%}
            {%- for role in schema_roles if role not in roles -%}{%- do roles.append(role) -%}{%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for role in roles %}
    do $$ begin
        if not exists (select from pg_roles where rolname = '{{ role }}') then
            create role {{ adapter.quote(role) }} nologin;
        end if;
    end $$;
    {%- else %}
    select 1
    {%- endfor %}
{%- endmacro %}

{% macro grant_schema_usage() -%}
    {{ return(adapter.dispatch('grant_schema_usage', 'pcdm')()) }}
{%- endmacro %}

{% macro default__grant_schema_usage() -%}
    select 1
{%- endmacro %}

{% macro postgres__grant_schema_usage() -%}
    {%- set readers = pcdm.reader_roles_by_schema() if execute and flags.WHICH in ('run', 'build') else {} -%}
    {%- for schema, roles in readers.items() %}
    do $$ begin
        if exists (select from pg_namespace where nspname = '{{ schema }}') then
            grant usage on schema {{ adapter.quote(schema) }} to
                {%- for role in roles %} {{ adapter.quote(role) }}{{ ',' if not loop.last }}{% endfor %};
        end if;
    end $$;
    {%- else %}
    select 1
    {%- endfor %}
{%- endmacro %}

{#- Select on a table that a hook creates (no model, so no `grants` config: dq.dq_dbt_results) for
    the roles that read its schema. -#}
{% macro grant_hook_table(schema, table) -%}
    {{ return(adapter.dispatch('grant_hook_table', 'pcdm')(schema, table)) }}
{%- endmacro %}

{% macro default__grant_hook_table(schema, table) -%}
{%- endmacro %}

{% macro postgres__grant_hook_table(schema, table) -%}
    {%- for role in pcdm.reader_roles_by_schema().get(schema, []) -%}
        {%- do run_query('grant select on ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote(table) ~ ' to ' ~ adapter.quote(role)) -%}
    {%- endfor -%}
{%- endmacro %}

{#- No roles to grant to on DuckDB and Spark (see above). -#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}
