{#-
    The one suppression mechanism of every `bi` mart (privacy rules of spec/outputs.md):

    1. a count from 1 to var min_cell_size - 1 (default 5) is published as null with is_suppressed;
    2. money and rates over a suppressed group are null too (value_columns);
    3. complementary suppression: along every dimension, where the `all` row of a group is published
       and exactly one of its categories is suppressed, or the suppressed categories together hold
       fewer than min_cell_size persons, the smallest published category is suppressed too (or, when
       no other category is published, the `all` row itself), so that subtracting the published
       categories from `all` reveals neither one suppressed count nor a small group.
       A new suppression can open a leak along another dimension, so the dimensions are swept
       `passes` times (a dbt test on every mart proves that no leak remains).

    relation: a CTE or relation with one row per combination of the dimensions, `all` as a level of
    each dimension in `dimensions`, and the count column. fixed_dimensions: further grouping columns
    without an `all` level (e.g. a service), which split groups but are never differenced.
-#}
{% macro suppress_small_cells(relation, dimensions, count_column='n_persons', value_columns=[], fixed_dimensions=[], passes=none) -%}
    {%- set passes = var('suppression_passes') if passes is none else passes -%}
    {%- set min_cell_size = var('min_cell_size') -%}
    {%- set all_dimensions = fixed_dimensions + dimensions -%}
    with

    suppression_0 as (
        select
            *,
            coalesce({{ count_column }} between 1 and {{ min_cell_size - 1 }}, false) as is_suppressed
        from {{ relation }}
    ),
    {%- set step = namespace(n=0) %}
    {%- for pass in range(passes) %}
    {%- for dimension in dimensions %}
    {%- set others = all_dimensions | reject('equalto', dimension) | list %}
    {%- set partition = ('partition by ' ~ others | join(', ')) if others else '' %}

    suppression_{{ step.n }}_groups as (
        select
            *,
            sum(case when {{ dimension }} <> 'all' and is_suppressed then 1 else 0 end)
                over ({{ partition }}) as suppressed_categories,
            sum(case when {{ dimension }} <> 'all' and is_suppressed then {{ count_column }} else 0 end)
                over ({{ partition }}) as suppressed_total,
            sum(case when {{ dimension }} <> 'all' and not is_suppressed then 1 else 0 end)
                over ({{ partition }}) as published_categories,
            max(case when {{ dimension }} = 'all' and not is_suppressed then 1 else 0 end)
                over ({{ partition }}) as is_margin_published,
            row_number() over (
                partition by {{ (others + ['(' ~ dimension ~ " = 'all' or is_suppressed)"]) | join(', ') }}
                order by {{ count_column }}, {{ dimension }}
            ) as published_rank
        from suppression_{{ step.n }}
    ),

    suppression_{{ step.n + 1 }} as (
        select
            {{ all_dimensions | join(', ') }},
            {{ count_column }},
            {%- for column in value_columns %}
            {{ column }},
            {%- endfor %}
            is_suppressed
            or (
                {{ dimension }} <> 'all'
                and (suppressed_categories = 1 or suppressed_total < {{ min_cell_size }})
                and suppressed_categories > 0
                and is_margin_published = 1
                and published_rank = 1
            )
            or (
                {{ dimension }} = 'all'
                and (suppressed_categories = 1 or suppressed_total < {{ min_cell_size }})
                and suppressed_categories > 0
                and published_categories = 0
            ) as is_suppressed
        from suppression_{{ step.n }}_groups
    ),
    {%- set step.n = step.n + 1 %}
    {%- endfor %}
    {%- endfor %}

    suppressed as (
        select * from suppression_{{ step.n }}
    )

    select
        {{ all_dimensions | join(',\n        ') }},
        case when is_suppressed then null else {{ count_column }} end as {{ count_column }},
        {%- for column in value_columns %}
        case when is_suppressed then null else {{ column }} end as {{ column }},
        {%- endfor %}
        is_suppressed
    from suppressed
{%- endmacro %}
