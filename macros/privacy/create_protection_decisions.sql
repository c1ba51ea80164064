{#-
    The table the disclosure control writes its decisions into (src/pcdm/privacy/warehouse.py),
    created empty where it is missing: a build that skips the protection step (a plain `dbt build`,
    `dbt build --empty`) then publishes every bi cell withheld, never unprotected. `pcdm run`
    replaces its rows with the decisions of the run between the two steps of its build. One
    statement per query: Spark runs no more than one at a time.
-#}
{% macro create_protection_decisions() %}
    {%- if execute -%}
        {%- do run_query('create schema if not exists protection') -%}
        {%- do run_query(
            'create table if not exists protection.bi_cell_decisions ('
            ~ 'mart ' ~ dbt.type_string() ~ ', measure ' ~ dbt.type_string()
            ~ ', cell_id ' ~ dbt.type_string() ~ ', n_persons ' ~ dbt.type_bigint()
            ~ ', is_published ' ~ dbt.type_boolean() ~ ')'
        ) -%}
    {%- endif -%}
{% endmacro %}
