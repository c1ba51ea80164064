-- Nothing is lost: for every raw table, every delivered row is either staged or quarantined.
-- dq_reconciliation counts the raw source itself, independently of the staging models.
select
    source_table,
    raw_rows,
    staged_rows,
    quarantined_rows,
    unaccounted_rows
from {{ ref('dq_reconciliation') }}
where unaccounted_rows <> 0
