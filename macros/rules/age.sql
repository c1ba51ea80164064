{#- Whole years of age on a date (segmentation rules: age at R, or at death if earlier). -#}
{% macro age_in_years(birth_date, on_date) -%}
    (
        extract(year from {{ on_date }}) - extract(year from {{ birth_date }})
        - case
            when extract(month from {{ on_date }}) * 100 + extract(day from {{ on_date }})
                < extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
                then 1
            else 0
        end
    )
{%- endmacro %}

{#- Age groups of the Soite report tool: 0-17, 18-64, 65-79, 80+. -#}
{% macro age_group(age) -%}
    case
        when {{ age }} < 18 then '0-17'
        when {{ age }} < 65 then '18-64'
        when {{ age }} < 80 then '65-79'
        else '80+'
    end
{%- endmacro %}
