{#-
    Adds `person_id` (the permanent identity code: a linked temporary id resolves to its permanent id)
    and `person_check` (null, or why the row's person cannot be used) to the rows of a CTE that has
    the normalised `recorded_person_id`. nullable: a null recorded id is allowed (anonymous rows).
-#}
{% macro resolve_person_id(relation, nullable=false) -%}
    select
        {{ relation }}.*,
        coalesce(id_links.person_id, {{ relation }}.recorded_person_id) as person_id,
        case
            when {{ relation }}.recorded_person_id is null
                then {{ "cast(null as " ~ dbt.type_string() ~ ")" if nullable else "'invalid_person_id'" }}
            when not {{ pcdm.person_id_is_valid(relation ~ '.recorded_person_id') }} then 'invalid_person_id'
            when {{ pcdm.person_id_is_temporary(relation ~ '.recorded_person_id') }}
                and id_links.person_id is null then 'unlinked_temporary_id'
            when persons.person_id is null then 'orphan_person'
        end as person_check
    from {{ relation }}
    left join {{ ref('stg_population__id_links') }} as id_links
        on {{ relation }}.recorded_person_id = id_links.temporary_id
    left join {{ ref('stg_population__persons') }} as persons
        on coalesce(id_links.person_id, {{ relation }}.recorded_person_id) = persons.person_id
{%- endmacro %}
