{#-
    dbt.listagg on Spark: dbt-spark's own ignores the order (collect_list) and gives '' for a group
    without values; Spark 4 has the standard listagg ... within group (order by ...), as dbt's default.
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {{ return(dbt.default__listagg(measure, delimiter_text, order_by_clause, limit_num)) }}
{%- endmacro %}
