{#- A care plan open on a date: created on or before it and not closed by it
    (created_date <= d and (closed_date is null or closed_date > d)). -#}
{% macro plan_open_at(created_date, closed_date, on_date='reference_period.reference_date') -%}
    ({{ created_date }} <= {{ on_date }} and ({{ closed_date }} is null or {{ closed_date }} > {{ on_date }}))
{%- endmacro %}
