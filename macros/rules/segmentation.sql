{#-
    The segmentation rules of docs/segmentation-rules.md, each in one place. Thresholds are dbt vars
    (dbt_project.yml, `segmentation` block); lists are seeds. A county overrides them without SQL.
-#}

{#- Kaiser Permanente triangle tier 0-3 from the number of chronic groups and acute use. -#}
{% macro kaiser_tier(n_chronic, has_acute_use) -%}
    case
        when {{ n_chronic }} >= {{ var('kaiser_tier3_min_chronic') }} and {{ has_acute_use }} then 3
        when {{ n_chronic }} >= {{ var('kaiser_tier2_min_chronic') }} then 2
        when {{ n_chronic }} >= 1 and {{ has_acute_use }} then 2
        when {{ n_chronic }} >= 1 then 1
        else 0
    end
{%- endmacro %}

{#- The date after a date (dbt.dateadd gives a timestamp on most engines). -#}
{% macro day_after(date_expression) -%}
    cast({{ dbt.dateadd('day', 1, date_expression) }} as date)
{%- endmacro %}

{#- Days of a stay inside the window: dates d with admission <= d < discharge (same-day stay: the
    day itself; ongoing: admission <= d <= R), and window_start < d <= R. -#}
{% macro care_days_in_window(admission_date, discharge_date, window_start, reference_date) -%}
    {%- set after_window_start = pcdm.day_after(window_start) -%}
    {%- set after_reference_date = pcdm.day_after(reference_date) -%}
    greatest(0, {{ dbt.datediff(
        'greatest(' ~ admission_date ~ ', ' ~ after_window_start ~ ')',
        'least(case when ' ~ discharge_date ~ ' is null then ' ~ after_reference_date
        ~ ' when ' ~ discharge_date ~ ' = ' ~ admission_date ~ ' then ' ~ pcdm.day_after(admission_date)
        ~ ' else ' ~ discharge_date ~ ' end, ' ~ after_reference_date ~ ')',
        'day'
    ) }})
{%- endmacro %}

{#- Days a decision is in force inside the window: valid_from <= d <= valid_to (open: <= R),
    window_start < d <= R. -#}
{% macro decision_days_in_window(valid_from, valid_to, window_start, reference_date) -%}
    greatest(0, {{ dbt.datediff(
        'greatest(' ~ valid_from ~ ', ' ~ pcdm.day_after(window_start) ~ ')',
        pcdm.day_after('least(coalesce(' ~ valid_to ~ ', ' ~ reference_date ~ '), ' ~ reference_date ~ ')'),
        'day'
    ) }})
{%- endmacro %}

{#- Months from days, as decision volumes are counted: days * 12 / 365.25, 2 decimals. -#}
{% macro days_to_months(days) -%}
    {{ pcdm.round_to(days ~ ' * 12.0 / 365.25', 2) }}
{%- endmacro %}

{#- A date inside a window that ends on R: window_start < d <= R (window_start is R minus 12 or 24
    months, columns of int_reference_period). -#}
{% macro in_window(date_expression, window_start='reference_period.window_12m_after',
                   reference_date='reference_period.reference_date') -%}
    ({{ date_expression }} > {{ window_start }} and {{ date_expression }} <= {{ reference_date }})
{%- endmacro %}
