{#-
    True when a value is missing or outside a closed code list. For row checks: a bare
    `x not in (...)` is null, not true, for a null x, and a null check lets the row through.
-#}
{% macro not_one_of(column, values) -%}
    ({{ column }} is null or {{ column }} not in ('{{ values | join("', '") }}'))
{%- endmacro %}
