{#- Building blocks of the OMOP mapping (models/staging/omop/, docs/omop-mapping.md). -#}

{#- An OMOP value as trimmed text, null when blank (ids and concept ids are compared as text). -#}
{% macro omop_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#-
    The person table column that identifies a person in the pcdm (var omop_person_identifier):
    person_source_value (an identity code, or a pseudonym) or person_id; by default
    person_source_value for the identity_code scheme and person_id for the pseudonymous one.
-#}
{% macro omop_person_identifier(relation) -%}
    {%- set column = var('omop_person_identifier', none) or ('person_id' if pcdm.is_pseudonymous_scheme() else 'person_source_value') -%}
    {%- if column not in ('person_source_value', 'person_id') -%}
        {{ exceptions.raise_compiler_error("var omop_person_identifier must be person_source_value or person_id, not " ~ column) }}
    {%- endif -%}
    {{ pcdm.omop_text(relation ~ '.' ~ column) }}
{%- endmacro %}

{#- The extract time of the instance (loaded_at of every mapped row): cdm_source.source_release_date. -#}
{% macro omop_extract_time() -%}
    (
        select cast(max({{ pcdm.safe_cast(pcdm.omop_text('source_release_date'), 'date') }}) as timestamp)
        from {{ pcdm.omop_table('cdm_source') }}
    )
{%- endmacro %}
