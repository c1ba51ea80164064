-- The reference date R and the windows of the segmentation rules, one row.
-- R is the var `reference_date`, or by default the last complete day in the data: the day before
-- the latest extract of the population register. The 12-month window is R - 1 year < d <= R.
with

latest_extract as (
    select max(cast(loaded_at as date)) as extract_date
    from {{ ref('stg_population__persons') }}
),

reference as (
    select
        {%- if var('reference_date') %}
        cast('{{ var("reference_date") }}' as date) as reference_date
        {%- else %}
            cast({{ dbt.dateadd('day', -1, 'extract_date') }} as date) as reference_date
        {%- endif %}
    from latest_extract
)

select
    reference_date,
    cast({{ dbt.dateadd('month', -12, 'reference_date') }} as date) as window_12m_after,
    cast({{ dbt.dateadd('month', -24, 'reference_date') }} as date) as window_24m_after
from reference
