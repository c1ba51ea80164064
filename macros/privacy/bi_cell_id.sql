{#- The id of a bi cell within its mart: its dimension values joined by '|', in the given order. -#}
{% macro bi_cell_id(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
