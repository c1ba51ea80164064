-- Per raw contract table: where the run reads it from and whether it was delivered. With input 'raw'
-- every table is delivered (the raw contract check requires it); with input 'omop' the population
-- and health tables come from the OMOP mapping (models/staging/omop/) and the others from raw_path
-- when delivered, else they read as empty. The gate skips the checks about a table not delivered
-- (requires_tables in quality/thresholds.yml) and says so.
{%- for raw in pcdm.raw_tables() %}
    select
        '{{ raw.table }}' as source_table,
        '{{ "omop" if pcdm.is_omop_input() and raw.table in pcdm.omop_mapped_tables() else "raw" }}' as read_from,
        {{ 'true' if pcdm.input_table_delivered(raw.source, raw.table) else 'false' }} as is_delivered
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
