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

{#- Age bands of the BI marts and the Power BI report files: 0-17, 18-64, 65+. -#}
{% macro report_age_band(age) -%}
    case
        when {{ age }} < 18 then '0-17'
        when {{ age }} < 65 then '18-64'
        else '65+'
    end
{%- endmacro %}

{#- A count of services as a BI category: '0' ... '4', then '5+'. -#}
{% macro count_band(count) -%}
    case when {{ count }} >= 5 then '5+' else cast({{ count }} as {{ dbt.type_string() }}) end
{%- endmacro %}
