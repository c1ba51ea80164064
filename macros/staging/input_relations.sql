{#-
    Where the base models read their raw tables from (var `input`, docs/omop-mapping.md).

    raw_source(source, table): the raw contract table; with input 'omop' the population register and
    the health tables are the OMOP mapping's models (models/staging/omop/, named like the raw table),
    and any other raw table is read from raw_path when it is delivered, else as an empty table with
    the contract's columns (a delivery with no social care, say: the gate warns about it).
    omop_table(table): an OMOP CDM table of omop_path (DuckDB: <table>.csv or .parquet, any case of the
    file name) or of the schema omop_schema; an optional table that is not delivered reads as empty.
-#}
{% macro is_omop_input() -%}
    {{ return(var('input', 'raw') == 'omop') }}
{%- endmacro %}

{#- The raw tables the OMOP mapping delivers in place of the raw contract. -#}
{% macro omop_mapped_tables() -%}
    {{ return(['population_person', 'health_contact', 'health_episode', 'health_diagnosis', 'health_procedure']) }}
{%- endmacro %}

{% macro raw_source(source_name, table_name) -%}
    {%- if pcdm.is_omop_input() and table_name in pcdm.omop_mapped_tables() -%}
        {{ return(ref('base_omop__' ~ table_name)) }}
    {%- endif -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if pcdm.is_omop_input() and execute and not pcdm.raw_table_delivered(source_name, table_name) -%}
        {{ return(pcdm.empty_relation(graph.sources['source.pcdm.' ~ source_name ~ '.' ~ table_name], table_name)) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- A relation with the columns of a source node (typed as documented) and no rows. -#}
{% macro empty_relation(node, alias) -%}
    (
        select
        {%- for column in node.columns.values() %}
            cast(null as {{ dbt.type_string() if column.data_type | lower in ('varchar', 'text', 'string') else column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
        {%- endfor %}
        where 1 = 0
    ) as empty_{{ alias }}
{%- endmacro %}

{#- True when the raw table is delivered (in OMOP mode a raw table other than the mapped ones is optional). -#}
{% macro raw_table_delivered(source_name, table_name) -%}
    {{ return(adapter.dispatch('raw_table_delivered', 'pcdm')(source_name, table_name)) }}
{%- endmacro %}

{% macro duckdb__raw_table_delivered(source_name, table_name) -%}
    {%- set raw_path = var('raw_path', none) -%}
    {%- if not raw_path -%}{{ return(false) }}{%- endif -%}
    {%- set pattern = raw_path ~ '/' ~ table_name ~ '.' ~ var('raw_format', 'parquet') -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern | replace("'", "''") ~ "')").columns[0].values()[0] -%}
    {{ return(found > 0) }}
{%- endmacro %}

{% macro default__raw_table_delivered(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {{ return(adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none) }}
{%- endmacro %}

{% macro omop_table(table_name) -%}
    {%- set relation = source('omop', table_name) -%}
    {%- if not execute -%}{{ return(relation) }}{%- endif -%}
    {{ return(adapter.dispatch('omop_table', 'pcdm')(table_name, relation)) }}
{%- endmacro %}

{#- The file of an OMOP table in omop_path (name matched without regard to case), or none. -#}
{% macro omop_file(table_name) -%}
    {%- set omop_path = var('omop_path') | string -%}
    {%- set files = run_query("select file from glob('" ~ omop_path | replace("'", "''") ~ "/*') order by file").columns[0].values() -%}
    {%- for file in files -%}
        {%- set name = file.replace('\\', '/').split('/')[-1] | lower -%}
        {%- if name in (table_name ~ '.csv', table_name ~ '.parquet') -%}{{ return(file) }}{%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__omop_table(table_name, relation) -%}
    {%- set file = pcdm.omop_file(table_name) -%}
    {%- if file is none -%}
        {{ return(pcdm.omop_missing_table(table_name)) }}
    {%- elif (file | lower).endswith('.csv') -%}
        {{ return("read_csv('" ~ file | replace("'", "''") ~ "', header = true, all_varchar = true)") }}
    {%- endif -%}
    {{ return("read_parquet('" ~ file | replace("'", "''") ~ "')") }}
{%- endmacro %}

{% macro default__omop_table(table_name, relation) -%}
    {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{ return(pcdm.omop_missing_table(table_name)) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- An optional OMOP table that is not delivered reads as empty; a required one stops the run. -#}
{% macro omop_missing_table(table_name) -%}
    {%- set node = graph.sources['source.pcdm.omop.' ~ table_name] -%}
    {%- if node.config.meta.get('required', node.meta.get('required', false)) -%}
        {{ exceptions.raise_compiler_error("OMOP input: required table " ~ table_name ~ " not found in omop_path '"
            ~ var('omop_path') ~ "' (a file " ~ table_name ~ ".csv or .parquet, any case) or schema " ~ var('omop_schema', 'omop')) }}
    {%- endif -%}
    {{ return(pcdm.empty_relation(node, table_name)) }}
{%- endmacro %}

{#- True when an OMOP table is delivered (not read as empty). -#}
{% macro omop_table_delivered(table_name) -%}
    {%- if not execute -%}{{ return(true) }}{%- endif -%}
    {{ return(not (pcdm.omop_table(table_name) | string).startswith('(')) }}
{%- endmacro %}

{#-
    True when the run reads this raw contract table: always with input 'raw' (the contract check
    requires every table); with input 'omop' for the tables the mapping delivers and for the others
    when they are delivered. The dq models leave undelivered tables out of what the gate checks.
-#}
{% macro input_table_delivered(source_name, table_name) -%}
    {%- if not pcdm.is_omop_input() or table_name in pcdm.omop_mapped_tables() -%}{{ return(true) }}{%- endif -%}
    {%- if not execute -%}{{ return(true) }}{%- endif -%}
    {{ return(pcdm.raw_table_delivered(source_name, table_name)) }}
{%- endmacro %}
