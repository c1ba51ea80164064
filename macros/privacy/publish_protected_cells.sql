{#-
    A bi mart: the cells of an int_bi_*_cells model as the disclosure control decided
    (src/pcdm/privacy/, docs/privacy.md). Each cell's count and its money and rates (value_columns)
    are published only where protection.bi_cell_decisions holds a decision to publish that was made on
    the same count; a share (share_columns) only where its own decision says so as well. A cell without
    a current decision is withheld: a stale or missing decision can hide a number, never show one.
    Every withheld cell looks the same: count and values null, is_suppressed true.
-#}
{#- cells_model: int_<mart>_cells, whose mart is the decisions' `mart` -#}
{% macro publish_protected_cells(cells_model, dimensions, count_column='n_persons', value_columns=[], share_columns=[]) -%}
    with

    cells as (
        select * from {{ ref(cells_model) }}
    ),

    decisions as (
        select * from {{ ref('int_bi_cell_decisions') }}
        where mart = '{{ cells_model[4:-6] }}'
    ),

    decided as (
        select
            cells.*,
            coalesce(count_decisions.is_published, false) as is_count_published
            {%- for column in share_columns %},
            coalesce({{ column }}_decisions.is_published, false) as is_{{ column }}_published
            {%- endfor %}
        from cells
        left join decisions as count_decisions
            on
                cells.cell_id = count_decisions.cell_id
                and count_decisions.measure = '{{ count_column }}'
                and cells.{{ count_column }} = count_decisions.n_persons
        {%- for column in share_columns %}
        left join decisions as {{ column }}_decisions
            on
                cells.cell_id = {{ column }}_decisions.cell_id
                and {{ column }}_decisions.measure = '{{ column }}'
                and cells.{{ count_column }} = {{ column }}_decisions.n_persons
        {%- endfor %}
    )

    select
        {{ dimensions | join(',\n        ') }},
        case when is_count_published then {{ count_column }} end as {{ count_column }},
        {%- for column in value_columns %}
        case when is_count_published then {{ column }} end as {{ column }},
        {%- endfor %}
        {%- for column in share_columns %}
        case when is_count_published and is_{{ column }}_published then {{ column }} end as {{ column }},
        {%- endfor %}
        not is_count_published as is_suppressed
    from decided
{%- endmacro %}
