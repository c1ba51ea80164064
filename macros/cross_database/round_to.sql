{#- A number rounded to `digits` decimals (halves away from zero). PostgreSQL rounds numeric only. -#}
{% macro round_to(expression, digits) -%}
    {{ return(adapter.dispatch('round_to', 'pcdm')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_to(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__round_to(expression, digits) -%}
    round(cast({{ expression }} as numeric), {{ digits }})
{%- endmacro %}

{#- DuckDB rounds a double's binary value (479.575 is 479.57499...: 479.57); PostgreSQL and Spark
    round its decimal text (479.58). Rounding through a decimal gives DuckDB the same answer. -#}
{% macro duckdb__round_to(expression, digits) -%}
    cast(round(cast({{ expression }} as decimal(38, 10)), {{ digits }}) as double)
{%- endmacro %}
