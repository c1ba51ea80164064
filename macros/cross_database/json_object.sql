{#- A JSON text object of the given columns, keyed by column name (nulls kept); the values are read
    from the columns named `prefix` ~ name (e.g. 'relation.raw__'). -#}
{% macro json_object(columns, prefix='') -%}
    {{ return(adapter.dispatch('json_object', 'pcdm')(columns, prefix)) }}
{%- endmacro %}

{% macro duckdb__json_object(columns, prefix) -%}
    cast(json_object(
        {%- for column in columns %}'{{ column }}', {{ prefix ~ column }}{{ ', ' if not loop.last }}{% endfor -%}
    ) as varchar)
{%- endmacro %}

{% macro postgres__json_object(columns, prefix) -%}
    cast(json_build_object(
        {%- for column in columns %}'{{ column }}', {{ prefix ~ column }}{{ ', ' if not loop.last }}{% endfor -%}
    ) as text)
{%- endmacro %}

{% macro spark__json_object(columns, prefix) -%}
    to_json(named_struct(
        {%- for column in columns %}'{{ column }}', {{ prefix ~ column }}{{ ', ' if not loop.last }}{% endfor -%}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- No standard SQL for this: an engine without its own version stops here, at compile time. -#}
{% macro default__json_object(columns, prefix) -%}
    {{ exceptions.raise_compiler_error(
        "json_object has no version for " ~ target.type ~ ": add " ~ target.type
        ~ "__json_object to macros/cross_database/json_object.sql") }}
{%- endmacro %}
