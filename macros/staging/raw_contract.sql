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
    The columns every base model adds from the raw row: the raw values without identity codes as
    delivered (`raw__<column>`, from which deduplicate_deliveries makes `raw_record`, the JSON that
    stewards read in dq_quarantine, on quarantined rows only), `row_fingerprint` (a hash of all raw
    values but loaded_at, identity codes included: equal fingerprints are identical copies; used by
    deduplicate_deliveries, not stored) and `evaluated_in_delivery` (the night that wrote the row:
    macros/staging/deliveries.sql).
-#}
{% macro raw_row_audit_columns(source_name, table_name) -%}
    {%- set all_columns = pcdm.raw_columns(source_name, table_name) | reject('equalto', 'loaded_at') | list -%}
    {%- for column in pcdm.raw_columns(source_name, table_name, identity=false) %}
    {{ column }} as raw__{{ column }},
    {%- endfor %}
    {{ pcdm.row_hash(all_columns if all_columns else ['1']) }} as row_fingerprint,
    {{ pcdm.evaluated_in_delivery() }} as evaluated_in_delivery
{%- endmacro %}
