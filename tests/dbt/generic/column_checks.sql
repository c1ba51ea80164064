{#-
    A model's single-column checks in one query (one scan of the table instead of one test node and
    scan per column and check). Each argument is optional:
      not_null:        [column, ...]           no null in the column
      unique:          [column, ...]           no value on two rows (nulls are ignored, as dbt's unique)
      accepted_values: {column: [value, ...]}  a non-null value is one of these (strings are quoted,
                                               numbers are not); nulls pass, as in dbt's accepted_values
      expressions:     [sql, ...]              true on every row (false or null fails)
    Returns one row per check that fails: the check, the column (or the expression) and the number of
    rows that fail it; stored failures (the marts) show the stewards which column failed.
    Usage: data_tests: [{column_checks: {arguments: {not_null: [a, b], unique: [a]}}}]
-#}
{% test column_checks(model, not_null=[], unique=[], accepted_values={}, expressions=[]) %}
    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append(['not_null', column, 'count(*) - count(' ~ column ~ ')']) -%}
    {%- endfor -%}
    {%- for column in unique -%}
        {%- do checks.append(['unique', column, 'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')']) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set literals = [] -%}
        {%- for value in values -%}
            {%- do literals.append(value if value is number else "'" ~ (value | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do checks.append(['accepted_values', column,
            'count(case when ' ~ column ~ ' not in (' ~ literals | join(', ') ~ ') then 1 end)']) -%}
    {%- endfor -%}
    {%- for expression in expressions -%}
        {%- do checks.append(['expression_is_true', expression,
            'count(case when not coalesce(' ~ expression ~ ', false) then 1 end)']) -%}
    {%- endfor -%}
    {%- if not checks -%}
        {{ exceptions.raise_compiler_error('column_checks on ' ~ model ~ ': no check given') }}
    {%- endif -%}
    with

    counts as (
        select
        {%- for check in checks %}
            {{ check[2] }} as failing_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ model }}
    ),

    checks as (
        select
            checks.check_name,
            checks.column_name,
            case checks.check_index
            {%- for check in checks %}
                when {{ loop.index }} then counts.failing_{{ loop.index }}
            {%- endfor %}
            end as n_failing_rows
        from counts
        cross join (
            values
            {%- for check in checks %}
                ({{ loop.index }}, '{{ check[0] }}', '{{ check[1] | replace("'", "''") }}'){{ ',' if not loop.last }}
            {%- endfor %}
        ) as checks (check_index, check_name, column_name)
    )

    select * from checks
    where n_failing_rows > 0
{% endtest %}
