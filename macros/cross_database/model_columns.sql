{#-
    The columns of the project's models in the given schemas, as a select of rows (table_schema,
    table_name, column_name), read from the engine's catalog through dbt at run time: portable where
    information_schema is not (Spark has none). A model not built yet has no rows.
-#}
{% macro model_columns(schemas) -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.package_name == 'pcdm' and node.schema in schemas -%}
            {%- set relation = adapter.get_relation(node.database, node.schema, node.alias or node.name) -%}
            {%- if relation is not none -%}
                {%- for column in adapter.get_columns_in_relation(relation) -%}
                    {%- do rows.append([node.schema, node.alias or node.name, column.name | lower]) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for row in rows %}
    select '{{ row[0] }}' as table_schema, '{{ row[1] }}' as table_name, '{{ row[2] }}' as column_name
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as table_schema,
        cast(null as {{ dbt.type_string() }}) as table_name,
        cast(null as {{ dbt.type_string() }}) as column_name
    from (select 1 as one) as nothing
    where 1 = 0
    {%- endfor %}
{%- endmacro %}
