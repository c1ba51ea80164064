{#-
    The reason code of the first check a row fails, or null when it passes them all.
    checks, in order of precedence: [condition, reason_code] or [condition, reason_code, column] pairs
    (column: the raw column the check is about), or [column] for a column that already holds a reason
    code or null (such as `person_check` from resolve_person_id).
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

{#- The column named by the first check a row fails (null when it names none, or the row passes). -#}
{% macro first_failing_column(checks) -%}
    case
        {%- for check in checks %}
        {%- if check | length == 1 %}
        when {{ check[0] }} is not null then cast(null as {{ dbt.type_string() }})
        {%- else %}
        when {{ check[0] }} then {{ "'" ~ check[2] ~ "'" if check | length > 2 else "cast(null as " ~ dbt.type_string() ~ ")" }}
        {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}

{#-
    The row checks of a base model as two columns: `row_check` (the reason code of the first failing
    check) and `row_check_column` (the column it names). A value that does not convert to its contract
    type (`unconverted_column`, from the macro of that name in the model's renamed CTE) fails first,
    as `invalid_value` naming its column; then the checks in order.
-#}
{% macro row_checks(checks) -%}
    case
        when unconverted_column is not null then 'invalid_value'
        else {{ pcdm.first_failing_check(checks) }}
    end as row_check,
    case
        when unconverted_column is not null then unconverted_column
        else {{ pcdm.first_failing_column(checks) }}
    end as row_check_column
{%- endmacro %}
