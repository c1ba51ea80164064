{#-
    The incremental strategy of the models downstream of the base models (macros/staging/deliveries.sql):
    their pre-hook deletes the keys a night re-evaluated, and the model's rows are merged on their key.
    Spark without Delta cannot merge (nor delete): append, and `pcdm run --nightly` is DuckDB only.
-#}
{% macro incremental_strategy_by_key() -%}
    {{ return(adapter.dispatch('incremental_strategy_by_key', 'pcdm')()) }}
{%- endmacro %}

{% macro default__incremental_strategy_by_key() -%}
    {{ return('merge') }}
{%- endmacro %}

{% macro spark__incremental_strategy_by_key() -%}
    {{ return('append') }}
{%- endmacro %}
