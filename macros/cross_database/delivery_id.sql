{#-
    Where a raw row came from (docs/raw-contract.md "Delivery sequence"): `filename`, its file
    `<folder>/<table>.<format>`, which DuckDB's readers add (`filename = true`) and `pcdm load` writes
    into PostgreSQL's raw tables; Spark's raw schema holds one delivery, named after the folder of
    var raw_path.
-#}

{#- The delivery of a raw row: the name of its file's folder. -#}
{% macro delivery_id_of_row() -%}
    {{ return(adapter.dispatch('delivery_id_of_row', 'pcdm')()) }}
{%- endmacro %}

{% macro duckdb__delivery_id_of_row() -%}
    split_part(filename, '/', -2)
{%- endmacro %}

{% macro postgres__delivery_id_of_row() -%}
    substring(filename from '([^/]+)/[^/]*$')
{%- endmacro %}

{% macro default__delivery_id_of_row() -%}
    '{{ (var('raw_path', '') | string).rstrip('/').split('/')[-1] | replace("'", "''") }}'
{%- endmacro %}

{#- The raw table as delivered tonight: its rows from the folder var new_delivery. -#}
{% macro new_delivery_relation(source_name, table_name) -%}
    {{ return(adapter.dispatch('new_delivery_relation', 'pcdm')(source_name, table_name)) }}
{%- endmacro %}

{#- DuckDB: the source's reader on tonight's folder instead of every delivery kept. -#}
{% macro duckdb__new_delivery_relation(source_name, table_name) -%}
    {%- set node = graph.sources['source.pcdm.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set location = node.meta.external_location.format(name=table_name) -%}
    {%- set every = var('raw_path') | replace("'", "''") -%}
    {{ return(location.replace(every, var('new_delivery') | replace("'", "''"))) }}
{%- endmacro %}

{#- A server engine's raw table holds every delivery kept (pcdm load): tonight's rows by filename. -#}
{% macro default__new_delivery_relation(source_name, table_name) -%}
    {%- set folder = var('new_delivery') | replace("'", "''") -%}
    {{ return("(select * from " ~ source(source_name, table_name) ~ " where filename like '" ~ folder ~ "/%') as tonight_" ~ table_name) }}
{%- endmacro %}
