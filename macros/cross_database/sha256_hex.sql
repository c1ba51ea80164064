{#- Lower-case hex SHA-256 of a text expression. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'pcdm')(expression)) }}
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro postgres__sha256_hex(expression) -%}
    encode(sha256(convert_to({{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{#- No standard SQL for this: an engine without its own version stops here, at compile time. -#}
{% macro default__sha256_hex(expression) -%}
    {{ exceptions.raise_compiler_error(
        "sha256_hex has no version for " ~ target.type ~ ": add " ~ target.type
        ~ "__sha256_hex to macros/cross_database/sha256_hex.sql") }}
{%- endmacro %}
