{#-
    A SQL string literal of a text (null for none): quotes doubled; on Spark, whose literals treat
    a backslash as an escape, backslashes and quotes escaped with a backslash.
-#}
{% macro text_literal(value) -%}
    {{ return(adapter.dispatch('text_literal', 'pcdm')(value)) }}
{%- endmacro %}

{% macro default__text_literal(value) -%}
    {%- if value is none -%}{{ return('null') }}{%- endif -%}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}

{% macro spark__text_literal(value) -%}
    {%- if value is none -%}{{ return('null') }}{%- endif -%}
    {{ return("'" ~ (value | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") }}
{%- endmacro %}
