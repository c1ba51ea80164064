{#- A dimension of a `group by cube(...)`: its value, or `all` on the rows that aggregate over it. -#}
{% macro cube_level(column) -%}
    case when grouping({{ column }}) = 1 then 'all' else {{ column }} end
{%- endmacro %}
