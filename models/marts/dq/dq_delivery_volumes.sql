-- Delivery volumes: staged rows per day per event table for the last `dq_volume_days` days before
-- the reference date, each day compared with the previous day and with the mean of the same weekday
-- in the four weeks before, so that a missing or partial day of a delivery stands out.
{%- set days = var('dq_volume_days', 28) | int %}
{#- the spine's fixed first day: the day offsets are counted from it (constant bounds, so that
    dbt.date_spine's count of days needs no table at compile time) -#}
{%- set first_day = "cast('2000-01-01' as date)" %}
{%- set tables = [
    ('health_contact', ref('stg_health__contacts'), 'contact_start'),
    ('health_episode', ref('stg_health__episodes'), 'admission_date'),
    ('social_contact', ref('stg_social__contacts'), 'contact_start'),
    ('crm_channel_contact', ref('stg_crm__channel_contacts'), 'occurred_at'),
] %}

with

reference as (
    select reference_date from {{ ref('int_reference_period') }}
),

-- the day offsets 0 to days + 28: the compared days and the four weeks before them
day_offsets as (
    {{ dbt.date_spine('day', first_day, dbt.dateadd('day', days + 29, first_day)) }}
),

calendar as (
    select cast({{ dbt.dateadd('day', '-' ~ dbt.datediff(first_day, 'day_offsets.date_day', 'day'), 'reference.reference_date') }} as date) as event_day
    from reference
    cross join day_offsets
),

event_tables as (
    {%- for source_table, _relation, _column in tables %}
        select '{{ source_table }}' as source_table
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

daily as (
    {%- for source_table, relation, date_column in tables %}
        select
            '{{ source_table }}' as source_table,
            cast({{ date_column }} as date) as event_day,
            count(*) as staged_rows
        from {{ relation }}
        group by cast({{ date_column }} as date)
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

filled as (
    select
        event_tables.source_table,
        calendar.event_day,
        coalesce(daily.staged_rows, 0) as staged_rows
    from event_tables
    cross join calendar
    left join daily
        on event_tables.source_table = daily.source_table and calendar.event_day = daily.event_day
),

compared as (
    select
        source_table,
        event_day,
        staged_rows,
        lag(staged_rows) over (partition by source_table order by event_day) as previous_day_rows,
        (
            coalesce(lag(staged_rows, 7) over (partition by source_table order by event_day), 0)
            + coalesce(lag(staged_rows, 14) over (partition by source_table order by event_day), 0)
            + coalesce(lag(staged_rows, 21) over (partition by source_table order by event_day), 0)
            + coalesce(lag(staged_rows, 28) over (partition by source_table order by event_day), 0)
        ) / 4.0 as same_weekday_mean_rows
    from filled
)

select
    compared.source_table,
    compared.event_day,
    compared.staged_rows,
    compared.previous_day_rows,
    cast(compared.same_weekday_mean_rows as {{ type_double() }}) as same_weekday_mean_rows,
    {{ weekday_name('compared.event_day') }} as day_of_week,
    cast(case
        when compared.previous_day_rows > 0 then compared.staged_rows * 1.0 / compared.previous_day_rows
    end as {{ type_double() }}) as ratio_to_previous_day,
    cast(case
        when compared.same_weekday_mean_rows > 0 then compared.staged_rows / compared.same_weekday_mean_rows
    end as {{ type_double() }}) as ratio_to_same_weekday
from compared
cross join reference
where compared.event_day > cast({{ dbt.dateadd('day', -days, 'reference.reference_date') }} as date)
