{#-
    Stops the run, before any model, when the raw delivery breaks the raw contract: a table file that
    is missing, or a contract column that a table lacks. The message names the table, file and column.
    Runs as on-run-start for run, build and test (not for seed, parse, docs or compile).
-#}
{% macro check_raw_contract() %}
    {%- if execute and flags.WHICH in ('run', 'build', 'test') -%}
        {{ adapter.dispatch('check_raw_contract', 'pcdm')() }}
    {%- endif -%}
{% endmacro %}

{% macro duckdb__check_raw_contract() %}
    {%- set raw_path = var('raw_path') -%}
    {%- set raw_format = var('raw_format', 'parquet') -%}
    {%- set sources = pcdm.expected_raw_sources() -%}
    {%- if pcdm.is_omop_input() -%}{{ pcdm.check_omop_tables() }}{%- endif -%}
    {%- set found = run_query("select file from glob('" ~ raw_path | replace("'", "''") ~ "/*." ~ raw_format ~ "')").columns[0].values() -%}
    {%- set found_names = [] -%}
    {%- for file in found -%}
        {%- do found_names.append(file.replace('\\', '/').split('/')[-1][: -(raw_format | length) - 1]) -%}
    {%- endfor -%}
    {%- set missing_tables = [] -%}
    {%- for node in sources if node.name not in found_names -%}
        {%- do missing_tables.append(node.name ~ '.' ~ raw_format) -%}
    {%- endfor -%}
    {%- if missing_tables -%}
        {{ exceptions.raise_compiler_error(
            "Raw contract: missing table file(s) in raw_path '" ~ raw_path ~ "' (raw_format " ~ raw_format ~ "): "
            ~ missing_tables | join(', ') ~ ". Every table of the raw contract must be delivered.") }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- for node in sources -%}
        {%- set location = node.meta.external_location.format(name=node.name) -%}
        {%- set delivered = run_query("select column_name from (describe select * from " ~ location ~ ")").columns[0].values() | map('lower') | list -%}
        {%- for column in node.columns.keys() if column | lower not in delivered -%}
            {%- do problems.append(node.name ~ '.' ~ column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Raw contract: required column(s) missing in raw_path '" ~ raw_path ~ "': " ~ problems | join(', ')
            ~ " (table.column). Deliver every column of the raw contract; extra columns are ignored.") }}
    {%- endif -%}
    {{ log("Raw contract: all " ~ sources | length ~ " tables and their columns found in " ~ raw_path, info=true) }}
{% endmacro %}

{% macro default__check_raw_contract() %}
    {%- if pcdm.is_omop_input() -%}{{ pcdm.check_omop_tables() }}{%- endif -%}
    {%- for node in pcdm.expected_raw_sources() -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.identifier) -%}
        {%- if relation is none -%}
            {{ exceptions.raise_compiler_error("Raw contract: missing raw table " ~ node.schema ~ "." ~ node.identifier) }}
        {%- endif -%}
        {%- set delivered = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- for column in node.columns.keys() if column | lower not in delivered -%}
            {{ exceptions.raise_compiler_error("Raw contract: raw table " ~ node.identifier ~ " lacks column " ~ column) }}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}

{#-
    The raw contract's source nodes a run must find (not the disclosure control's decisions): all of them, or with input 'omop' those of the
    raw tables the OMOP mapping does not deliver and that are delivered (the others read as empty).
-#}
{% macro expected_raw_sources() -%}
    {%- set nodes = [] -%}
    {%- for node in graph.sources.values() if node.package_name == 'pcdm' and node.source_name not in ('omop', 'protection') -%}
        {%- if not pcdm.is_omop_input() -%}
            {%- do nodes.append(node) -%}
        {%- elif node.name not in pcdm.omop_mapped_tables() and pcdm.raw_table_delivered(node.source_name, node.name) -%}
            {%- do nodes.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(nodes) }}
{%- endmacro %}

{#- With input 'omop': every required CDM table is delivered, and every delivered one has the columns read. -#}
{% macro check_omop_tables() -%}
    {%- set problems = [] -%}
    {%- set found = [] -%}
    {%- for node in graph.sources.values() if node.package_name == 'pcdm' and node.source_name == 'omop' -%}
        {%- set location = pcdm.omop_table(node.name) | string -%}
        {%- if not location.startswith('(') -%}
            {%- do found.append(node.name) -%}
            {%- set delivered = run_query("select * from " ~ location ~ " where 1 = 0").columns | map(attribute='name') | map('lower') | list -%}
            {%- for column in node.columns.keys() if column | lower not in delivered -%}
                {%- do problems.append(node.name ~ '.' ~ column) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "OMOP input: required column(s) missing in omop_path '" ~ var('omop_path') ~ "': " ~ problems | join(', ')
            ~ " (table.column, OMOP CDM 5.4).") }}
    {%- endif -%}
    {{ log("OMOP input: CDM tables " ~ found | join(', ') ~ " found in " ~ var('omop_path')
        ~ "; raw contract tables delivered: " ~ (pcdm.expected_raw_sources() | map(attribute='name') | join(', ') or 'none'), info=true) }}
{%- endmacro %}
