-- Every raw row that could not be staged, with why. Identity codes are never shown: `raw_record`
-- holds the other raw values and `source_row_key` is pseudonymised where the key is an identity code.

with

quarantined as (
    {%- for raw in pcdm.raw_tables() %}
        select
            '{{ raw.table }}' as source_table,
            source_row_key,
            quarantine_reason as reason_code,
            row_check_column as reason_column,
            loaded_at,
            raw_record
        from {{ ref(raw.base) }}
        where quarantine_reason is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

reasons as (
    select * from {{ ref('dq_reason_codes') }}
)

select
    quarantined.source_table,
    quarantined.source_row_key,
    quarantined.reason_code,
    quarantined.reason_column,
    reasons.reason_text,
    quarantined.loaded_at,
    quarantined.raw_record
from quarantined
left join reasons on quarantined.reason_code = reasons.reason_code
