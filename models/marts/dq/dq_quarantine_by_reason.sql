-- Quarantine per raw table and reason: how many rows, and what share of the table's delivery.
-- The steward's first look after a delivery, and a metric table of the data-quality gate (a reason
-- that suddenly quarantines a large share of a table blocks the Power BI exports).
with

quarantined as (
    select
        source_table,
        reason_code,
        min(reason_text) as reason_text,
        count(*) as quarantined_rows
    from {{ ref('dq_quarantine') }}
    group by source_table, reason_code
),

delivered as (
    select
        source_table,
        raw_rows
    from {{ ref('dq_reconciliation') }}
)

select
    quarantined.source_table,
    quarantined.reason_code,
    quarantined.reason_text,
    quarantined.quarantined_rows,
    delivered.raw_rows,
    quarantined.quarantined_rows * 1.0 / nullif(delivered.raw_rows, 0) as quarantine_share
from quarantined
inner join delivered on quarantined.source_table = delivered.source_table
