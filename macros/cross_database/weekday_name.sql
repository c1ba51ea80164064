{#-
    The English name of a date's weekday (Monday ... Sunday), in portable SQL: whole days since
    Monday 2001-01-01, modulo 7 (for dates from 2001 on; engines disagree on weekday numbers and names).
-#}
{% macro weekday_name(date_expression) -%}
    case {{ dbt.datediff("cast('2001-01-01' as date)", date_expression, 'day') }} % 7
        {%- for name in ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] %}
        when {{ loop.index0 }} then '{{ name }}'
        {%- endfor %}
    end
{%- endmacro %}
