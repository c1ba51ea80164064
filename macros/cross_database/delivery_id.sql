{#-
    The delivery a raw row came from: the name of the folder of its file (DuckDB reads the raw files
    with `filename`, docs/raw-contract.md "Delivery sequence"); a server engine's raw schema holds one
    delivery, named after the folder of var raw_path.
-#}
{% macro delivery_id_of_row() -%}
    {{ return(adapter.dispatch('delivery_id_of_row', 'pcdm')()) }}
{%- endmacro %}

{% macro duckdb__delivery_id_of_row() -%}
    split_part(filename, '/', -2)
{%- endmacro %}

{% macro default__delivery_id_of_row() -%}
    '{{ (var('raw_path', '') | string).rstrip('/').split('/')[-1] | replace("'", "''") }}'
{%- endmacro %}
