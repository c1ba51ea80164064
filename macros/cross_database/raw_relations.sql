{#-
    on-run-start: make the raw delivery readable as the `raw` schema of the sources. DuckDB reads the
    files in place through each source's meta.external_location, and PostgreSQL reads the tables
    `pcdm load` wrote: nothing to do. Spark reads the folder var('raw_path') in place too, through
    one external (unmanaged) table per raw table, re-pointed at the folder on every run; dropping
    such a table never touches the files.
-#}
{% macro create_raw_relations() -%}
    {{ return(adapter.dispatch('create_raw_relations', 'pcdm')()) }}
{%- endmacro %}

{% macro default__create_raw_relations() -%}
    select 1
{%- endmacro %}

{% macro spark__create_raw_relations() -%}
    {%- if execute and flags.WHICH in ('run', 'build', 'test') -%}
    {%- set raw_format = var('raw_format', 'parquet') -%}
    {%- set options = "header 'true', escape '\"', multiLine 'true'" if raw_format == 'csv' else '' -%}
    {#- the raw contract's tables (not the OMOP input's, not the disclosure control's decisions) -#}
    {%- set sources = graph.sources.values() | selectattr('package_name', 'equalto', 'pcdm')
        | rejectattr('source_name', 'in', ['omop', 'protection']) | list -%}
    {%- do run_query('create schema if not exists ' ~ (sources | first).schema) -%}
    {%- for node in sources -%}
        {%- set path = var('raw_path') ~ '/' ~ node.identifier ~ '.' ~ raw_format -%}
        {%- do run_query('drop table if exists ' ~ node.schema ~ '.' ~ node.identifier) -%}
        {%- do run_query(
            'create table ' ~ node.schema ~ '.' ~ node.identifier ~ ' using ' ~ raw_format
            ~ " options (path '" ~ path | replace("'", "\\'") ~ "'" ~ (', ' ~ options if options else '') ~ ')'
        ) -%}
    {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
