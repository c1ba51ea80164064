{#-
    Chooses the row to stage when a key was delivered more than once, and sets `quarantine_reason`.
    Among the rows that pass their row checks (`row_check` is null), per key:
      - a copy from an older extract than the latest is `superseded_delivery`;
      - copies in the latest extract with different values are all `conflicting_duplicate` (never guessed);
      - identical copies in the latest extract: the first is kept, the others are `duplicate_row`.
    A row that fails a row check keeps that reason. Expects `row_fingerprint` and `loaded_at`.
-#}
{% macro deduplicate_deliveries(relation, key_columns) -%}
    {%- set key = key_columns | join(', ') -%}
    select
        ranked.*,
        coalesce(
            ranked.row_check,
            case
                when ranked.loaded_at < ranked.latest_loaded_at then 'superseded_delivery'
                when ranked.min_fingerprint <> ranked.max_fingerprint then 'conflicting_duplicate'
                when ranked.copy_number > 1 then 'duplicate_row'
            end
        ) as quarantine_reason
    from (
        select
            {{ relation }}.*,
            max(loaded_at) over (partition by {{ key }}, row_check is null) as latest_loaded_at,
            min(row_fingerprint) over (partition by {{ key }}, loaded_at, row_check is null) as min_fingerprint,
            max(row_fingerprint) over (partition by {{ key }}, loaded_at, row_check is null) as max_fingerprint,
            row_number() over (
                partition by {{ key }}, loaded_at, row_check is null order by row_fingerprint
            ) as copy_number
        from {{ relation }}
    ) as ranked
{%- endmacro %}
