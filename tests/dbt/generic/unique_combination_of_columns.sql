{#-
    Fails for every combination of the given columns that occurs on more than one row: the grain test
    of a model whose key is several columns. Nulls count as a value (two rows with the same nulls
    collide), so pair it with not_null tests on the key columns.
    Usage: data_tests: [{unique_combination_of_columns: {arguments: {combination_of_columns: [a, b]}}}]
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
