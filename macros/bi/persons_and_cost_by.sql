{#-
    A bi mart of persons in scope and their window cost by one grouping of int_bi_persons (a Kaiser
    tier, a customer segment, ...), for every combination of age group, sex, municipality and that
    grouping (`all` a level of each), small cells suppressed together with their money.
-#}
{% macro persons_and_cost_by(grouping) -%}
    {%- set dimensions = ['age_group', 'sex', 'municipality_code', grouping] -%}
    with

    persons as (
        select * from {{ ref('int_bi_persons') }}
    ),

    aggregated as (
        select
            reference_date,
            {%- for dimension in dimensions %}
            {{ cube_level(dimension) }} as {{ dimension }},
            {%- endfor %}
            count(*) as n_persons,
            coalesce({{ exact_sum('window_cost_eur') }}, 0) as window_cost_eur,
            coalesce({{ exact_sum('window_cost_eur') }}, 0) / count(*) as cost_per_person_eur
        from persons
        group by reference_date, cube({{ dimensions | join(', ') }})
    )

    select * from (
        {{ suppress_small_cells(
            'aggregated',
            dimensions=dimensions,
            value_columns=['window_cost_eur', 'cost_per_person_eur'],
            fixed_dimensions=['reference_date'],
        ) }}
    ) as protected
{%- endmacro %}
