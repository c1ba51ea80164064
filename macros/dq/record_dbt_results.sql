{#-
    on-run-end: every node result of the dbt command (dbt's `results`, which on-run-end receives
    also when the build failed) appended to dq.dq_dbt_results: node, status, timing, failures and
    message. The data-quality gate reads the data tests of a run from it (dq.dq_test_results), and
    `pcdm run` names a failing node from it. A row carries the run's id (PCDM_RUN_ID: every dbt
    command of one `pcdm run` build, e.g. the two steps around the disclosure control) and the
    command's (PCDM_DBT_COMMAND_ID), each dbt's invocation_id when not set. Only commands that run
    nodes record (not `dbt docs generate` or `compile`). On PostgreSQL the roles that read `dq`
    may read it (grant_hook_table). One statement per query: Spark runs no more than one at a time.
-#}
{% macro record_dbt_results(results) %}
    {%- if execute and flags.WHICH in ('build', 'run', 'seed', 'test') -%}
        {%- set text = dbt.type_string() -%}
        {%- do run_query('create schema if not exists dq') -%}
        {%- do run_query(
            'create table if not exists dq.dq_dbt_results ('
            ~ 'run_id ' ~ text ~ ', command_id ' ~ text ~ ', command ' ~ text
            ~ ', command_started_at ' ~ dbt.type_timestamp() ~ ', result_index ' ~ dbt.type_bigint()
            ~ ', unique_id ' ~ text ~ ', resource_type ' ~ text ~ ', node_name ' ~ text
            ~ ', model ' ~ text ~ ', severity ' ~ text ~ ', status ' ~ text
            ~ ', failures ' ~ dbt.type_bigint() ~ ', execution_seconds ' ~ pcdm.type_double()
            ~ ', message ' ~ text ~ ')'
        ) -%}
        {%- do pcdm.grant_hook_table('dq', 'dq_dbt_results') -%}
        {%- set run_id = env_var('PCDM_RUN_ID', '') or invocation_id -%}
        {%- set command_id = env_var('PCDM_DBT_COMMAND_ID', '') or invocation_id -%}
        {%- set started = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
        {%- set rows = [] -%}
        {%- for result in results -%}
            {%- set node = result.node -%}
            {%- set attached = node.attached_node if node.resource_type == 'test' else none -%}
            {%- set severity = (node.config.severity | string | lower) if node.resource_type == 'test' else none -%}
            {%- do rows.append(
                '(' ~ pcdm.text_literal(run_id) ~ ', ' ~ pcdm.text_literal(command_id)
                ~ ', ' ~ pcdm.text_literal(flags.WHICH) ~ ', ' ~ started ~ ', ' ~ loop.index
                ~ ', ' ~ pcdm.text_literal(node.unique_id) ~ ', ' ~ pcdm.text_literal(node.resource_type)
                ~ ', ' ~ pcdm.text_literal(node.name)
                ~ ', ' ~ pcdm.text_literal(attached.split('.')[-1] if attached else none)
                ~ ', ' ~ pcdm.text_literal(severity) ~ ', ' ~ pcdm.text_literal(result.status)
                ~ ', ' ~ ('null' if result.failures is none else result.failures)
                ~ ', ' ~ ('null' if result.execution_time is none else result.execution_time)
                ~ ', ' ~ pcdm.text_literal(result.message) ~ ')'
            ) -%}
        {%- endfor -%}
        {%- for batch in rows | batch(200) -%}
            {%- do run_query('insert into dq.dq_dbt_results values ' ~ batch | join(', ')) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
