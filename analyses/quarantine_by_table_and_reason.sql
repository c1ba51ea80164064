-- For data stewards: quarantined rows by raw table and reason, with the share of the table's rows
-- and what to do. Compile with `dbt compile --select quarantine_by_table_and_reason` and run the SQL
-- under target/compiled/ in any SQL client, or read the same from dq.dq_quarantine in Power BI.
with

quarantine as (
    select * from {{ ref('dq_quarantine') }}
),

reconciliation as (
    select * from {{ ref('dq_reconciliation') }}
),

reasons as (
    select * from {{ ref('dq_reason_codes') }}
),

counted as (
    select
        source_table,
        reason_code,
        count(*) as quarantined_rows
    from quarantine
    group by source_table, reason_code
)

select
    counted.source_table,
    counted.reason_code,
    counted.quarantined_rows,
    reconciliation.raw_rows,
    reasons.steward_action,
    round(100.0 * counted.quarantined_rows / reconciliation.raw_rows, 2) as percent_of_raw_rows
from counted
inner join reconciliation on counted.source_table = reconciliation.source_table
inner join reasons on counted.reason_code = reasons.reason_code
order by counted.source_table asc, counted.quarantined_rows desc
