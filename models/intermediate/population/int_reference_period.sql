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
            {{ add_days('extract_date', -1) }} as reference_date
        {%- endif %}
    from latest_extract
)

select
    reference_date,
    {{ add_months('reference_date', -12) }} as window_12m_after,
    {{ add_months('reference_date', -24) }} as window_24m_after
from reference
