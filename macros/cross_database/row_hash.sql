{#- A fingerprint of a row's values, to tell identical copies from conflicting ones: compared
    within one query only (deduplicate_deliveries), never stored. DuckDB: its own 64-bit hash of the
    values (two different copies of one key collide with a chance of 1 in 2^64; md5 of the values as
    text took half the time of the base model at a million residents); elsewhere md5 of the values
    as text (a null as `<null>`). -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'pcdm')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    md5(concat_ws('|'
        {%- for column in columns %}, coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>'){% endfor -%}
    ))
{%- endmacro %}

{% macro duckdb__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}
