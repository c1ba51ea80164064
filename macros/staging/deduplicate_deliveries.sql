{#-
    Chooses the row to stage when a key was delivered more than once, and sets `quarantine_reason`.
    Among the rows that pass their row checks (`row_check` is null), per key:
      - a copy from an older extract than the latest is `superseded_delivery`;
      - copies in the latest extract with different values are all `conflicting_duplicate` (never guessed);
      - identical copies in the latest extract: the first is kept, the others are `duplicate_row`.
    A row that fails a row check keeps that reason. Expects `row_fingerprint` and `loaded_at` (never
    null in a row that passes its checks); adds `quarantine_reason`.

    One window, newest extract first: with the default frame (the partition's rows up to the current
    row and its peers, i.e. the same loaded_at), every row of the latest extract sees exactly that
    extract's copies, so max(loaded_at) is the latest extract, min and max of the fingerprint tell
    identical copies from conflicting ones, and row_number() > 1 marks all but one identical copy
    (which one does not matter: identical fingerprints are identical raw values). Rows of older
    extracts are superseded before the rest is looked at. One sort of the rows instead of three.

    The base model keeps the columns its YAML documents: `row_fingerprint` is used here and not
    stored, and `raw_record`, the JSON of the raw values (`raw__<column>`, macros/staging/
    raw_contract.sql) that stewards read in dq_quarantine, is made for a quarantined row only.
    A million residents' 7.3 M outpatient contacts: 46 s with both on every row, 23 s so.
-#}
{% macro deduplicate_deliveries(relation, key_columns, source_name, table_name) -%}
    {%- set window = 'partition by ' ~ (key_columns | join(', ')) ~ ', row_check is null order by loaded_at desc' -%}
    {%- set columns = model.columns.keys() | reject('in', ['raw_record', 'row_fingerprint', 'quarantine_reason']) | list -%}
    {%- if execute and not columns -%}
        {{ exceptions.raise_compiler_error(model.name ~ ': deduplicate_deliveries keeps the columns the model\'s YAML documents, and it documents none') }}
    {%- endif -%}
    select
        {%- for column in columns %}
        deduplicated.{{ column }},
        {%- endfor %}
        case
            when deduplicated.quarantine_reason is not null
                then {{ pcdm.json_object(pcdm.raw_columns(source_name, table_name, identity=false), 'deduplicated.raw__') }}
        end as raw_record,
        deduplicated.quarantine_reason
    from (
        select
            {{ relation }}.*,
            coalesce(
                {{ relation }}.row_check,
                case
                    when {{ relation }}.loaded_at < max(loaded_at) over (newest_first)
                        then 'superseded_delivery'
                    when min(row_fingerprint) over (newest_first) <> max(row_fingerprint) over (newest_first)
                        then 'conflicting_duplicate'
                    when row_number() over (newest_first) > 1
                        then 'duplicate_row'
                end
            ) as quarantine_reason
        from {{ relation }}
        window newest_first as ({{ window }})
    ) as deduplicated
{%- endmacro %}
