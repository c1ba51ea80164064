{#-
    Fails for every row where the SQL boolean expression is false or null: a row-level invariant of a
    model, such as `discharge_date is null or discharge_date >= admission_date`.
    Usage: data_tests: [{expression_is_true: {arguments: {expression: "..."}}}]
-#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
