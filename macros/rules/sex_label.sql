{#- The register's sex code as published: `1` male, `2` female. -#}
{% macro sex_label(sex_code) -%}
    case {{ sex_code }} when '1' then 'male' when '2' then 'female' end
{%- endmacro %}
