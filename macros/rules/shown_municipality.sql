{#- The municipality a published row may show: `undisclosed` for a person under non-disclosure for
    personal safety (turvakielto), else the register's code. -#}
{% macro shown_municipality(non_disclosure, municipality_code) -%}
    case when {{ non_disclosure }} then 'undisclosed' else {{ municipality_code }} end
{%- endmacro %}
