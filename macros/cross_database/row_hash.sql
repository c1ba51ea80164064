{#- An md5 fingerprint of a row's values, to tell identical copies from conflicting ones. -#}
{% macro row_hash(columns) -%}
    md5(concat_ws('|'
        {%- for column in columns %}, coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>'){% endfor -%}
    ))
{%- endmacro %}
