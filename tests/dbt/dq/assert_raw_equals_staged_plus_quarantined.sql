-- Nothing is lost: for every raw table, every delivered row is either staged or quarantined.
-- Counts the raw source independently of the staging models (dq_reconciliation reads the source itself).
select *
from {{ ref('dq_reconciliation') }}
where unaccounted_rows <> 0
