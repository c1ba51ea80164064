{#-
    Typing raw values against the raw contract (the data_type of each column in the sources YAML).
    A value that is delivered but does not convert to its contract type is never replaced by a
    default: the row is quarantined as `invalid_value`, naming the column (see row_checks).
-#}

{#- The accepted encodings of a boolean column; any other text is unknown (null). -#}
{% macro boolean_encodings() -%}
    {{ return({
        'true': ['true', 't', '1', 'yes', 'y', 'k', 'kyllä', 'kylla', 'ja'],
        'false': ['false', 'f', '0', 'no', 'n', 'e', 'ei', 'nej'],
    }) }}
{%- endmacro %}

{#- A raw value as a boolean: true / false by the accepted encodings (case and padding ignored), else null. -#}
{% macro to_boolean(column) -%}
    {%- set encodings = pcdm.boolean_encodings() -%}
    {%- set text = "lower(trim(cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")))" -%}
    case
        when {{ text }} in ('{{ encodings["true"] | join("', '") }}') then true
        when {{ text }} in ('{{ encodings["false"] | join("', '") }}') then false
    end
{%- endmacro %}

{#- A raw value in its contract type, null when it does not convert. -#}
{% macro typed(column, data_type) -%}
    {%- if data_type | lower == 'boolean' -%}
        {{ pcdm.to_boolean(column) }}
    {%- else -%}
        {{ pcdm.safe_cast(column, data_type) }}
    {%- endif -%}
{%- endmacro %}

{#-
    The name of the first column of a raw row (in contract order) whose value is delivered (not null,
    not blank) but does not convert to its contract type; null when every value converts.
    exclude: columns typed by a rule of their own (a privacy flag whose unknown value reads as the safe one).
-#}
{% macro unconverted_column(source_name, table_name, exclude=[]) -%}
    {%- set typed_columns = [] -%}
    {%- if execute -%}
        {%- set node = graph.sources['source.pcdm.' ~ source_name ~ '.' ~ table_name] -%}
        {%- for column in node.columns.values()
            if column.data_type and column.data_type | lower not in ('varchar', 'text', 'string')
            and column.name not in exclude -%}
            {%- do typed_columns.append(column) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if typed_columns -%}
    case
        {%- for column in typed_columns %}
        when
            {{ column.name }} is not null
            and trim(cast({{ column.name }} as {{ dbt.type_string() }})) <> ''
            and {{ pcdm.typed(column.name, column.data_type) }} is null
            then '{{ column.name }}'
        {%- endfor %}
    end
    {%- else -%}
    cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
