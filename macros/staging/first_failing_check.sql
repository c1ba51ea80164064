{#-
    The reason code of the first check a row fails, or null when it passes them all.
    checks, in order of precedence: [condition, reason_code] pairs, or [column] for a column that already
    holds a reason code or null (such as `person_check` from resolve_person_id).
-#}
{% macro first_failing_check(checks) -%}
    case
        {%- for check in checks %}
        {%- if check | length == 1 %}
        when {{ check[0] }} is not null then {{ check[0] }}
        {%- else %}
        when {{ check[0] }} then '{{ check[1] }}'
        {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}
