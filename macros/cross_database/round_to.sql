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
