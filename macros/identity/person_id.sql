{#-
    Finnish personal identity code (henkilötunnus) DDMMYYCZZZQ, raw contract v1.
    C: '+' 1800s; '-' 'Y' 'X' 'W' 'V' 'U' 1900s; 'A'..'F' 2000s. ZZZ: 002-899 permanent, 900-999 temporary.
    Q = '0123456789ABCDEFHJKLMNPRSTUVWXY'[DDMMYYZZZ mod 31]. The whole 11-character code is the key.
-#}

{#-
    Trim and upper-case (a lower-case check character or padding is not an error). With the var
    id_scheme 'pseudonymous' the id is a delivered pseudonym: trimmed only, never validated.
-#}
{% macro is_pseudonymous_scheme() -%}
    {{ return(var('id_scheme', 'identity_code') == 'pseudonymous') }}
{%- endmacro %}

{% macro normalise_person_id(column) -%}
    {%- if pcdm.is_pseudonymous_scheme() -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
    {%- else -%}
    nullif(upper(trim(cast({{ column }} as {{ dbt.type_string() }}))), '')
    {%- endif -%}
{%- endmacro %}

{#- The birth date the code encodes, or null when it encodes no real date. -#}
{% macro person_id_birth_date(column) -%}
    {{ pcdm.safe_cast(
        "case substr(" ~ column ~ ", 7, 1) when '+' then '18' when '-' then '19' when 'Y' then '19' when 'X' then '19'"
        ~ " when 'W' then '19' when 'V' then '19' when 'U' then '19' when 'A' then '20' when 'B' then '20'"
        ~ " when 'C' then '20' when 'D' then '20' when 'E' then '20' when 'F' then '20' end"
        ~ " || substr(" ~ column ~ ", 5, 2) || '-' || substr(" ~ column ~ ", 3, 2) || '-' || substr(" ~ column ~ ", 1, 2)",
        'date'
    ) }}
{%- endmacro %}

{#- True for a well-formed code with a real date, individual number 002-999 and the right check character. -#}
{% macro person_id_is_valid(column) -%}
    {%- if pcdm.is_pseudonymous_scheme() -%}
    ({{ column }} is not null)
    {%- else -%}
    case
        when {{ column }} is null then false
        when not {{ pcdm.regex_full_match(column, '[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-FHJ-NPR-Y]') }} then false
        when {{ pcdm.person_id_birth_date(column) }} is null then false
        when substr({{ column }}, 8, 3) in ('000', '001') then false
        else substr(
            '0123456789ABCDEFHJKLMNPRSTUVWXY',
            cast(mod(cast(substr({{ column }}, 1, 6) || substr({{ column }}, 8, 3) as bigint), 31) as integer) + 1,
            1
        ) = substr({{ column }}, 11, 1)
    end
    {%- endif -%}
{%- endmacro %}

{#- Temporary identifier (väliaikainen tunniste): individual number 900-999. -#}
{% macro person_id_is_temporary(column) -%}
    {%- if pcdm.is_pseudonymous_scheme() -%}
    (1 = 0)
    {%- else -%}
    (substr({{ column }}, 8, 3) >= '900')
    {%- endif -%}
{%- endmacro %}
