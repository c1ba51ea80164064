{#- A date plus a whole number of months (negative to go back); month ends clamp (2024-02-29 - 12 months = 2023-02-28). -#}
{% macro add_months(date_expression, months) -%}
    {{ return(adapter.dispatch('add_months', 'pcdm')(date_expression, months)) }}
{%- endmacro %}

{% macro default__add_months(date_expression, months) -%}
    cast({{ date_expression }} + to_months(cast({{ months }} as integer)) as date)
{%- endmacro %}

{% macro postgres__add_months(date_expression, months) -%}
    cast({{ date_expression }} + make_interval(months => {{ months }}) as date)
{%- endmacro %}

{% macro spark__add_months(date_expression, months) -%}
    add_months({{ date_expression }}, {{ months }})
{%- endmacro %}
