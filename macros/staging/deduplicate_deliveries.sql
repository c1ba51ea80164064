{#-
    Chooses the row to stage when a key was delivered more than once, and sets `quarantine_reason`.
    Among the rows that pass their row checks (`row_check` is null), per key:
      - a copy from an older extract than the latest is `superseded_delivery`;
      - copies in the latest extract with different values are all `conflicting_duplicate` (never guessed);
      - identical copies in the latest extract: the first is kept, the others are `duplicate_row`.
    A row that fails a row check keeps that reason. Expects `row_fingerprint` and `loaded_at`; adds
    only `quarantine_reason` to the relation's columns.
-#}
{% macro deduplicate_deliveries(relation, key_columns) -%}
    {%- set key = key_columns | join(', ') -%}
    {%- set same_check = key ~ ', row_check is null' -%}
    select
        {{ relation }}.*,
        coalesce(
            {{ relation }}.row_check,
            case
                when {{ relation }}.loaded_at < max(loaded_at) over (partition by {{ same_check }})
                    then 'superseded_delivery'
                when
                    min(row_fingerprint) over (partition by {{ key }}, loaded_at, row_check is null)
                    <> max(row_fingerprint) over (partition by {{ key }}, loaded_at, row_check is null)
                    then 'conflicting_duplicate'
                when
                    row_number() over (
                        partition by {{ key }}, loaded_at, row_check is null order by row_fingerprint
                    ) > 1
                    then 'duplicate_row'
            end
        ) as quarantine_reason
    from {{ relation }}
{%- endmacro %}
