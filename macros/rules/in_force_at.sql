{#- A validity period in force on a date: valid_from <= d and (valid_to is null or valid_to >= d).
    Care team memberships and consents at R. -#}
{% macro in_force_at(valid_from, valid_to, on_date='reference_period.reference_date') -%}
    ({{ valid_from }} <= {{ on_date }} and ({{ valid_to }} is null or {{ valid_to }} >= {{ on_date }}))
{%- endmacro %}
