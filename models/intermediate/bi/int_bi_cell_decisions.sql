-- The decisions of the disclosure control (src/pcdm/privacy/protect.py, docs/privacy.md): for every cell
-- of every int_bi_*_cells model and every measure of it that is published on its own (the count, and each
-- share of bi_quintuple_aim), whether it may be published, and the count it was decided on. Written by
-- `pcdm protect` between the two dbt steps of a build; the bi marts join it on cell, measure and count.
with

decisions as (
    select * from {{ source('protection', 'bi_cell_decisions') }}
)

select
    mart,
    measure,
    cell_id,
    n_persons,
    is_published
from decisions
