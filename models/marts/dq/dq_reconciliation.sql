-- Per raw table: rows delivered, rows staged, rows quarantined. Nothing is lost when
-- raw_rows = staged_rows + quarantined_rows (tested by assert_raw_equals_staged_plus_quarantined).

with

counts as (
    {%- for raw in pcdm.raw_tables() %}
        select
            '{{ raw.table }}' as source_table,
            (select count(*) from {{ raw_source(raw.source, raw.table) }}) as raw_rows,
            (select count(*) from {{ ref(raw.stg) }}) as staged_rows
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

quarantined as (
    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('dq_quarantine') }}
    group by source_table
)

select
    counts.source_table,
    counts.raw_rows,
    counts.staged_rows,
    coalesce(quarantined.quarantined_rows, 0) as quarantined_rows,
    counts.raw_rows - counts.staged_rows - coalesce(quarantined.quarantined_rows, 0) as unaccounted_rows
from counts
left join quarantined on counts.source_table = quarantined.source_table
