-- Quarantine per raw table and reason: how many rows, what share of the table's delivery, and what
-- the steward does about it. The steward's first look after a delivery, and a metric table of the
-- data-quality gate (a reason that suddenly quarantines a large share of a table blocks the Power BI
-- exports).
with

quarantined as (
    select
        source_table,
        reason_code,
        count(*) as quarantined_rows
    from {{ ref('dq_quarantine') }}
    group by source_table, reason_code
),

delivered as (
    select
        source_table,
        raw_rows
    from {{ ref('dq_reconciliation') }}
),

reasons as (
    select * from {{ ref('dq_reason_codes') }}
)

select
    quarantined.source_table,
    quarantined.reason_code,
    reasons.reason_text,
    reasons.steward_action,
    quarantined.quarantined_rows,
    delivered.raw_rows,
    cast(quarantined.quarantined_rows * 1.0 / nullif(delivered.raw_rows, 0) as {{ type_double() }}) as quarantine_share
from quarantined
inner join delivered on quarantined.source_table = delivered.source_table
left join reasons on quarantined.reason_code = reasons.reason_code
