{#-
    Column types. The YAML of the project (contracts of the models, column_types of the seeds) names
    types in one portable vocabulary: varchar, double, bigint, integer, boolean, date, timestamp.
    Two of these names differ by engine (PostgreSQL has no `double`, Spark no `varchar` without a
    length); engine_data_type() translates them, and the overrides below apply it where dbt reads
    the YAML types: the contract check, PostgreSQL's contracted create table, and seed tables.
    dbt.type_float() is single precision on DuckDB and Spark, so money uses type_double().
-#}

{#- An 8-byte floating point type. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'pcdm')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro postgres__type_double() -%}
    {{ return('double precision') }}
{%- endmacro %}

{#- A type of the project's YAML vocabulary as the engine spells it. -#}
{% macro engine_data_type(data_type) -%}
    {%- set name = (data_type or '') | trim | lower -%}
    {%- if name == 'varchar' -%}{{ return(dbt.type_string()) }}
    {%- elif name == 'double' -%}{{ return(pcdm.type_double()) }}
    {%- else -%}{{ return(data_type) }}
    {%- endif -%}
{%- endmacro %}

{#- The columns of a model (name -> column dict) with their data_type translated. -#}
{% macro engine_columns(columns) -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set copy = dict(column) -%}
        {%- do copy.update({'data_type': pcdm.engine_data_type(column.get('data_type'))}) if column.get('data_type') -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(translated) }}
{%- endmacro %}

{#- A model or seed node with its column_types translated. -#}
{% macro engine_seed_model(model) -%}
    {%- set column_types = {} -%}
    {%- for name, data_type in model['config'].get('column_types', {}).items() -%}
        {%- do column_types.update({name: pcdm.engine_data_type(data_type)}) -%}
    {%- endfor -%}
    {%- set config = dict(model['config']) -%}
    {%- do config.update({'column_types': column_types}) -%}
    {%- set copy = dict(model) -%}
    {%- do copy.update({'config': config}) -%}
    {{ return(copy) }}
{%- endmacro %}

{#- dbt's contract check (a typed empty select of the YAML columns), with the engine's type names. -#}
{% macro postgres__get_empty_schema_sql(columns) -%}
    {{ return(dbt.default__get_empty_schema_sql(pcdm.engine_columns(columns))) }}
{%- endmacro %}

{% macro spark__get_empty_schema_sql(columns) -%}
    {{ return(dbt.default__get_empty_schema_sql(pcdm.engine_columns(columns))) }}
{%- endmacro %}

{#- PostgreSQL creates a contracted table from the YAML columns, then inserts the select. -#}
{% macro postgres__get_table_columns_and_constraints() -%}
    {%- set columns = adapter.render_raw_columns_constraints(raw_columns=pcdm.engine_columns(model['columns'])) -%}
    {%- set constraints = adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
    ({{ (columns + constraints) | join(', ') }})
{%- endmacro %}

{#- Seed tables are created with the seeds' column_types. -#}
{% macro postgres__create_csv_table(model, agate_table) -%}
    {{ return(dbt.default__create_csv_table(pcdm.engine_seed_model(model), agate_table)) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {{ return(dbt.spark__create_csv_table(pcdm.engine_seed_model(model), agate_table)) }}
{%- endmacro %}

{#-
    Spark seed rows as literals: dbt-spark's session method puts bound values into the SQL text
    unescaped, which breaks on an apostrophe (a text such as "person's").
-#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_types = pcdm.engine_seed_model(model)['config']['column_types'] -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            ({%- for col_name in agate_table.column_names -%}
                {%- set type = column_types.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                {%- set value = row[loop.index0] -%}
                {%- if value is none -%}cast(null as {{ type }})
                {%- else -%}cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                {%- endif -%}{{ ', ' if not loop.last }}
            {%- endfor -%}){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) if loop.first -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}
