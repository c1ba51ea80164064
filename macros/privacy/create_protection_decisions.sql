{#-
    The table the disclosure control writes its decisions into (src/pcdm/privacy/warehouse.py),
    created empty where it is missing: a build that skips the protection step (a plain `dbt build`,
    `dbt build --empty`) then publishes every bi cell withheld, never unprotected. `pcdm run`
    replaces it with the decisions of the run between the two steps of its build.
-#}
{% macro create_protection_decisions() %}
    {%- if execute -%}
        create schema if not exists protection;
        create table if not exists protection.bi_cell_decisions (
            mart {{ dbt.type_string() }},
            measure {{ dbt.type_string() }},
            cell_id {{ dbt.type_string() }},
            n_persons {{ dbt.type_bigint() }},
            is_published {{ dbt.type_boolean() }}
        )
    {%- endif -%}
{% endmacro %}
