{#- Column names of a raw table as the sources YAML (the raw contract) lists them. -#}
{% macro raw_columns(source_name, table_name, identity=none) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- set node = graph.sources['source.pcdm.' ~ source_name ~ '.' ~ table_name] -%}
        {%- for column in node.columns.values() -%}
            {%- set is_identity = column.meta.get('identity', false) or column.get('config', {}).get('meta', {}).get('identity', false) -%}
            {%- if identity is none or is_identity == identity -%}{%- do names.append(column.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}

{#-
    The columns every base model adds from the raw row: `raw_record` (JSON of the raw values without
    identity codes, for stewards reading quarantine; kept on quarantined rows only), `row_fingerprint`
    (md5 of all raw values but loaded_at, `<null>` for a null, identity codes included: equal
    fingerprints are identical copies; used by deduplicate_deliveries, not stored) and
    `evaluated_in_delivery` (the night that wrote the row: macros/staging/deliveries.sql).
-#}
{% macro raw_row_audit_columns(source_name, table_name) -%}
    {%- set all_columns = pcdm.raw_columns(source_name, table_name) | reject('equalto', 'loaded_at') | list -%}
    {{ pcdm.json_object(pcdm.raw_columns(source_name, table_name, identity=false)) }} as raw_record,
    {{ pcdm.row_hash(all_columns if all_columns else ['1']) }} as row_fingerprint,
    {{ pcdm.evaluated_in_delivery() }} as evaluated_in_delivery
{%- endmacro %}
