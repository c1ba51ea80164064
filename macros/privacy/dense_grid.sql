{#-
    The dense grid of a cube: every combination of the levels of the cube dimensions (each with `all`)
    for every combination of the fixed dimensions found in the relation, with the relation's counts and
    0 where it has no row. A bi mart publishes the dense grid, so that a row's presence tells nothing:
    a withheld cell may be 0 (the attack model of docs/privacy.md). An empty combination has count 0,
    its true count, not a default; its other values are null (nothing to average).
-#}
{% macro dense_grid(relation, cube, fixed, counts, values=[]) -%}
    select
        {%- for column in fixed + cube %}
        grid.{{ column }},
        {%- endfor %}
        {%- for column in counts %}
        coalesce(cells.{{ column }}, 0) as {{ column }}{{ ',' if values or not loop.last }}
        {%- endfor %}
        {%- for column in values %}
        cells.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select * from (select distinct {{ fixed | join(', ') }} from {{ relation }}) as fixed_levels
        {%- for column in cube %}
        cross join (select distinct {{ column }} from {{ relation }}) as levels_{{ loop.index }}
        {%- endfor %}
    ) as grid
    left join {{ relation }} as cells
        on
            {% for column in fixed + cube -%}
            {{ 'and ' if not loop.first }}grid.{{ column }} = cells.{{ column }}
            {% endfor %}
{%- endmacro %}
