{#- True when the whole text matches the regular expression. -#}
{% macro regex_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'pcdm')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_full_match(expression, pattern) -%}
    ({{ expression }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro spark__regex_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{#- No standard SQL for this: an engine without its own version stops here, at compile time. -#}
{% macro default__regex_full_match(expression, pattern) -%}
    {{ exceptions.raise_compiler_error(
        "regex_full_match has no version for " ~ target.type ~ ": add " ~ target.type
        ~ "__regex_full_match to macros/cross_database/regex_full_match.sql") }}
{%- endmacro %}
