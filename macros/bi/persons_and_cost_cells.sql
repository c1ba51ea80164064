{#-
    The cells of a bi mart of persons in scope and their window cost by one grouping of int_bi_persons
    (a Kaiser tier, a customer segment, ...): every combination of age group, sex, municipality and that
    grouping (`all` a level of each, 0 where nobody is in it), with the true counts. Not published: the mart publishes these cells
    through the disclosure control (macros/privacy/publish_protected_cells.sql).
-#}
{% macro persons_and_cost_cells(grouping) -%}
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
            coalesce({{ exact_sum('window_cost_eur') }}, 0) as window_cost_eur
        from persons
        group by reference_date, cube({{ dimensions | join(', ') }})
    ),

    dense as (
        {{ dense_grid('aggregated', cube=dimensions, fixed=['reference_date'], counts=['n_persons', 'window_cost_eur']) }}
    )

    select
        {{ bi_cell_id(dimensions) }} as cell_id,
        reference_date,
        {{ dimensions | join(',\n        ') }},
        n_persons,
        window_cost_eur,
        cast({{ round_to('window_cost_eur / nullif(n_persons, 0)', 2) }} as {{ type_double() }}) as cost_per_person_eur
    from dense
{%- endmacro %}
