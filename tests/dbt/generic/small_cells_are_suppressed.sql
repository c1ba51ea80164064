{#-
    Attacks a bi mart the way a report user could. Returns every row that breaks the privacy rules:
    - a published count from 1 to var min_cell_size - 1, or a suppressed row that still shows its count;
    - along any one dimension, a group whose `all` row is published while exactly one category is
      suppressed (that count = `all` minus the published categories), or while the suppressed
      categories together hold 1 to min_cell_size - 1 persons (a small group recovered together).
    The mart's suppressed counts are null, so the group total is recovered the way an attacker would:
    `all` minus the published categories.
-#}
{% test small_cells_are_suppressed(model, dimensions, fixed_dimensions=[], count_column='n_persons') %}
    {%- set all_dimensions = fixed_dimensions + dimensions -%}
    with

    mart as (
        select * from {{ model }}
    ),

    leaks as (
        select
            'small cell published' as leak,
            {{ all_dimensions | join(' || \'/\' || ') }} as cell
        from mart
        where
            ({{ count_column }} between 1 and {{ var('min_cell_size') - 1 }})
            or (is_suppressed and {{ count_column }} is not null)
        {%- for dimension in dimensions %}
        {%- set others = all_dimensions | reject('equalto', dimension) | list %}

        union all

        select
            'recoverable by subtraction along {{ dimension }}' as leak,
            {{ (others or ["'-'"]) | join(' || \'/\' || ') }} as cell
        from mart
        {% if others %}group by {{ others | join(', ') }}{% endif %}
        having
            max(case when {{ dimension }} = 'all' and not is_suppressed then 1 else 0 end) = 1
            and (
                sum(case when {{ dimension }} <> 'all' and is_suppressed then 1 else 0 end) = 1
                or (
                    max(case when {{ dimension }} = 'all' then {{ count_column }} end)
                    - sum(case when {{ dimension }} <> 'all' and not is_suppressed then {{ count_column }} else 0 end)
                ) between 1 and {{ var('min_cell_size') - 1 }}
            )
        {%- endfor %}
    )

    select * from leaks
{% endtest %}
