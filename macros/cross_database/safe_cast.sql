{#-
    Cast that yields null instead of failing on a value that does not convert. data_type is a type of
    the project's YAML vocabulary (see data_types.sql).
-#}
{% macro safe_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('safe_cast', 'pcdm')(expression, data_type)) }}
{%- endmacro %}

{#- DuckDB, Spark (3.4+), SQL Server and Snowflake spell it try_cast. -#}
{% macro default__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ pcdm.engine_data_type(data_type) }})
{%- endmacro %}

{#-
    PostgreSQL 15 has no try_cast: one small function per type, created by create_safe_cast_functions.
    dbt itself calls safe_cast (unit-test fixtures) with PostgreSQL's long type names, and other types.
-#}
{% macro postgres__safe_cast(expression, data_type) -%}
    {%- set type = pcdm.engine_data_type(data_type) | lower | replace(' without time zone', '') -%}
    {%- if type in pcdm.safe_cast_types() -%}
    {{ pcdm.safe_cast_function(type) }}(cast({{ expression }} as text))
    {%- else -%}
    cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{#- The PostgreSQL types safe_cast converts to, and the name of the function of each. -#}
{% macro safe_cast_types() -%}
    {{ return(['date', 'timestamp', 'double precision', 'integer', 'bigint', 'boolean']) }}
{%- endmacro %}

{% macro safe_cast_function(type) -%}
    {{ target.schema }}.pcdm_safe_cast_{{ type | replace(' ', '_') }}
{%- endmacro %}

{#- on-run-start: the functions postgres__safe_cast calls (nothing on other engines). -#}
{% macro create_safe_cast_functions() -%}
    {{ return(adapter.dispatch('create_safe_cast_functions', 'pcdm')()) }}
{%- endmacro %}

{% macro default__create_safe_cast_functions() -%}
    select 1
{%- endmacro %}

{#- Parallel unsafe (PostgreSQL's default): the exception block is a subtransaction, which a
    parallel plan refuses ("cannot start subtransactions during a parallel operation", met from
    about 100 000 residents). -#}
{% macro postgres__create_safe_cast_functions() -%}
    {%- for type in pcdm.safe_cast_types() %}
    create or replace function {{ pcdm.safe_cast_function(type) }}(value text) returns {{ type }}
    language plpgsql immutable parallel unsafe as $$
    begin
        return value::{{ type }};
    exception when others then
        return null;
    end $$;
    {%- endfor %}
{%- endmacro %}
