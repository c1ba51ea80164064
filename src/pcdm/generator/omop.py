"""The generated county as an OMOP CDM 5.4 instance (`pcdm generate --format omop`).

The population register and the health tables of the clean county (before bad rows are injected)
are written as CDM tables in `<out>/omop/` (CSV with upper-case file names, as OHDSI tools export
them); the raw contract's other tables (social care, income support, CRM, client fees and the id
links of the social and CRM rows' temporary ids) go to `<out>/raw/` as a mixed delivery under the
same identity codes. Building both (`pcdm run --input omop`) gives the county of the raw contract:
the mapping of models/staging/omop/ reads back what this writes (docs/omop-mapping.md).

How the raw contract becomes the CDM:
- person: person_source_value = identity code; gender 8507/8532; year, month, day and datetime of
  birth; location = one row per municipality (location_source_value = its code); language and
  non-disclosure as observation rows `pcdm:language_code` and `pcdm:non_disclosure` (true only).
- death: the register's death dates.
- visit_occurrence: a contact is an Emergency Room Visit (9203) when it is an emergency, else by its
  contact mode an Outpatient (9202, R10 and other visits), Home (581476, R20) or Telehealth (5083:
  R50, R52, R56) visit; an episode is an Inpatient Visit (9201), or ER and Inpatient (262) when
  admitted as an emergency, ending on the extract date while ongoing (the CDM convention).
  visit_source_value = the service or specialty code; events recorded under a temporary id belong
  to the linked permanent person.
- condition_occurrence / procedure_occurrence: the code as source value with a source concept in
  `concept` (vocabulary ICD10fi, ICPC2 or THL-SToTP); the status 32902/32908 for rank 1/2.
- cost: one Visit row (total_cost) per contact or episode with a source cost.
- provider / care_site: one row per professional (specialty_source_value = professional group) and
  per unit; cdm_source: source_release_date = the extract date.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

# the raw contract tables the OMOP instance holds (the mapping of models/staging/omop/ gives them
# back)
MAPPED_TABLES = (
    "population_person",
    "health_contact",
    "health_episode",
    "health_diagnosis",
    "health_procedure",
)
VOCABULARIES = {"ICD-10": "ICD10fi", "ICPC-2": "ICPC2"}
LOCAL_CONCEPTS = 2_000_000_000  # OMOP's range for local (non-Athena) concepts

_SQL = {
    "location": """
        select row_number() over (order by municipality_code) as location_id,
            cast(null as varchar) as address_1, cast(null as varchar) as address_2,
            cast(null as varchar) as city, cast(null as varchar) as state,
            cast(null as varchar) as zip,
            cast(null as varchar) as county, municipality_code as location_source_value,
            cast(null as bigint) as country_concept_id, 'FI' as country_source_value,
            cast(null as double) as latitude, cast(null as double) as longitude
        from (select distinct municipality_code from population_person)
    """,
    "person": """
        select persons.omop_id as person_id,
            case persons.sex_code when '1' then 8507 when '2' then 8532 else 0 end
                as gender_concept_id,
            year(birth_date) as year_of_birth, month(birth_date) as month_of_birth,
            day(birth_date) as day_of_birth, cast(birth_date as timestamp) as birth_datetime,
            0 as race_concept_id, 0 as ethnicity_concept_id, location.location_id,
            cast(null as bigint) as provider_id, cast(null as bigint) as care_site_id,
            persons.person_id as person_source_value, persons.sex_code as gender_source_value,
            0 as gender_source_concept_id, cast(null as varchar) as race_source_value,
            0 as race_source_concept_id, cast(null as varchar) as ethnicity_source_value,
            0 as ethnicity_source_concept_id
        from persons
        join location on persons.municipality_code = location.location_source_value
        order by person_id
    """,
    "death": """
        select omop_id as person_id, death_date, cast(death_date as timestamp) as death_datetime,
            32817 as death_type_concept_id, 0 as cause_concept_id,
            cast(null as varchar) as cause_source_value, 0 as cause_source_concept_id
        from persons where death_date is not null order by person_id
    """,
    "observation": """
        select row_number() over (order by person_id, observation_source_value) as observation_id,
            person_id, 0 as observation_concept_id, cast($extract_date as date) as observation_date,
            cast(null as timestamp) as observation_datetime, 32817 as observation_type_concept_id,
            cast(null as double) as value_as_number, value_as_string,
            0 as value_as_concept_id, 0 as qualifier_concept_id, 0 as unit_concept_id,
            cast(null as bigint) as provider_id, cast(null as bigint) as visit_occurrence_id,
            cast(null as bigint) as visit_detail_id, observation_source_value,
            0 as observation_source_concept_id
        from (
            select omop_id as person_id, 'pcdm:language_code' as observation_source_value,
                language_code as value_as_string
            from persons where language_code is not null
            union all
            select omop_id, 'pcdm:non_disclosure', 'true' from persons where non_disclosure
        )
    """,
    "provider": """
        select row_number() over (order by professional_id) as provider_id,
            cast(null as varchar) as provider_name, cast(null as varchar) as npi,
            cast(null as varchar) as dea, cast(null as bigint) as specialty_concept_id,
            cast(null as bigint) as care_site_id, cast(null as bigint) as year_of_birth,
            cast(null as bigint) as gender_concept_id, professional_id as provider_source_value,
            professional_group_code as specialty_source_value, 0 as specialty_source_concept_id
        from (
            select professional_id, min(professional_group_code) as professional_group_code
            from health_contact where professional_id is not null group by professional_id
        )
    """,
    "care_site": """
        select row_number() over (order by unit_id) as care_site_id, unit_id as care_site_name,
            0 as place_of_service_concept_id, cast(null as bigint) as location_id,
            unit_id as care_site_source_value,
            cast(null as varchar) as place_of_service_source_value
        from (
            select unit_id from health_contact union select unit_id from health_episode
        ) where unit_id is not null
    """,
    "visit_occurrence": """
        select visit_occurrence_id, person_id, visit_concept_id, visit_start_date,
            visit_start_datetime, visit_end_date, cast(null as timestamp) as visit_end_datetime,
            32817 as visit_type_concept_id, provider_id, care_site_id, visit_source_value,
            0 as visit_source_concept_id, 0 as admitted_from_concept_id,
            cast(null as varchar) as admitted_from_source_value, 0 as discharged_to_concept_id,
            cast(null as varchar) as discharged_to_source_value,
            cast(null as bigint) as preceding_visit_occurrence_id
        from visits order by visit_occurrence_id
    """,
    "condition_occurrence": """
        select row_number() over (order by diagnosis.diagnosis_id) as condition_occurrence_id,
            visits.person_id, 0 as condition_concept_id,
            visits.visit_start_date as condition_start_date,
            cast(null as timestamp) as condition_start_datetime,
            cast(null as date) as condition_end_date,
            cast(null as timestamp) as condition_end_datetime, 32817 as condition_type_concept_id,
            case diagnosis.rank when 1 then 32902 when 2 then 32908 end
                as condition_status_concept_id,
            cast(null as varchar) as stop_reason, cast(null as bigint) as provider_id,
            visits.visit_occurrence_id, cast(null as bigint) as visit_detail_id,
            diagnosis.code as condition_source_value,
            concepts.concept_id as condition_source_concept_id,
            cast(null as varchar) as condition_status_source_value
        from health_diagnosis as diagnosis
        join visits on visits.source_table = diagnosis.record_type
            and visits.source_id = diagnosis.record_id
        join concepts on concepts.code_system = diagnosis.code_system
            and concepts.concept_code = diagnosis.code
    """,
    "procedure_occurrence": """
        select row_number() over (order by procedures.procedure_id) as procedure_occurrence_id,
            visits.person_id, 0 as procedure_concept_id, visits.visit_start_date as procedure_date,
            cast(null as timestamp) as procedure_datetime, cast(null as date) as procedure_end_date,
            cast(null as timestamp) as procedure_end_datetime, 32817 as procedure_type_concept_id,
            0 as modifier_concept_id, cast(null as bigint) as quantity,
            cast(null as bigint) as provider_id, visits.visit_occurrence_id,
            cast(null as bigint) as visit_detail_id, procedures.code as procedure_source_value,
            concepts.concept_id as procedure_source_concept_id,
            cast(null as varchar) as modifier_source_value
        from health_procedure as procedures
        join visits on visits.source_table = 'contact' and visits.source_id = procedures.contact_id
        join concepts on concepts.code_system = procedures.code_system
            and concepts.concept_code = procedures.code
    """,
    "cost": """
        select row_number() over (order by visit_occurrence_id) as cost_id,
            visit_occurrence_id as cost_event_id, 'Visit' as cost_domain_id,
            32817 as cost_type_concept_id, 44818568 as currency_concept_id,
            cast(null as double) as total_charge, cost_eur as total_cost,
            cast(null as double) as total_paid
        from visits where cost_eur is not null
    """,
    "concept": """
        select concept_id, concept_code as concept_name, domain_id, vocabulary_id,
            domain_id || ' code' as concept_class_id, cast(null as varchar) as standard_concept,
            concept_code, date '1970-01-01' as valid_start_date,
            date '2099-12-31' as valid_end_date,
            cast(null as varchar) as invalid_reason
        from concepts order by concept_id
    """,
    "cdm_source": """
        select 'pcdm synthetic county' as cdm_source_name, 'pcdm' as cdm_source_abbreviation,
            'pcdm generator' as cdm_holder,
            'Synthetic wellbeing services county written by pcdm generate --format omop'
                as source_description,
            cast(null as varchar) as source_documentation_reference,
            cast(null as varchar) as cdm_etl_reference,
            cast($extract_date as date) as source_release_date,
            cast($extract_date as date) as cdm_release_date, 'v5.4' as cdm_version,
            756265 as cdm_version_concept_id, 'none' as vocabulary_version
    """,
}


def _prepare(con: duckdb.DuckDBPyConnection, extract_at: datetime) -> None:
    """Persons (with OMOP ids), visits (contacts then episodes) and source concepts, as views."""
    con.execute(
        """
        create temp table persons as
        select *, row_number() over (order by person_id) as omop_id from population_person;
        create temp table links as select temporary_id, person_id from population_id_link;
        """
    )
    vocabularies = " ".join(f"when '{k}' then '{v}'" for k, v in VOCABULARIES.items())
    extract_date = extract_at.date().isoformat()
    con.execute(
        f"""
        create temp table visits as
        with events as (
            select 'contact' as source_table, contact_id as source_id, person_id,
                case
                    when is_emergency then 9203
                    when contact_type_code = 'R20' then 581476
                    when contact_type_code in ('R50', 'R52', 'R56') then 5083
                    else 9202
                end as visit_concept_id,
                cast(contact_start as date) as visit_start_date,
                cast(contact_start as timestamp) as visit_start_datetime,
                cast(contact_start as date) as visit_end_date,
                professional_id, unit_id, service_code as visit_source_value, cost_eur, 1 as part
            from health_contact
            union all
            select 'episode', episode_id, person_id,
                case when admission_type = 'emergency' then 262 else 9201 end,
                admission_date, cast(admission_date as timestamp),
                coalesce(discharge_date, date '{extract_date}'),
                null, unit_id, specialty_code, cost_eur, 2
            from health_episode
        )
        select row_number() over (order by part, source_id) as visit_occurrence_id,
            events.source_table, events.source_id, persons.omop_id as person_id,
            events.visit_concept_id, events.visit_start_date, events.visit_start_datetime,
            events.visit_end_date, providers.provider_id, care_sites.care_site_id,
            events.visit_source_value, events.cost_eur
        from events
        left join links on events.person_id = links.temporary_id
        join persons on coalesce(links.person_id, events.person_id) = persons.person_id
        left join provider as providers on events.professional_id = providers.provider_source_value
        left join care_site as care_sites on events.unit_id = care_sites.care_site_source_value
        """
    )
    con.execute(
        f"""
        create temp table concepts as
        select {LOCAL_CONCEPTS} + row_number() over (order by domain_id, code_system, concept_code)
                as concept_id, *
        from (
            select distinct 'Condition' as domain_id, code_system, code as concept_code,
                case code_system {vocabularies} end as vocabulary_id
            from health_diagnosis
            union
            select distinct 'Procedure', code_system, code, code_system from health_procedure
        )
        """
    )


def write_omop(tables: dict[str, pa.Table], out_dir: Path, extract_at: datetime) -> list[Path]:
    """Write the CDM tables of the clean raw `tables` into `out_dir` as upper-case CSV files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect() as con:
        for name in (*MAPPED_TABLES, "population_id_link"):
            con.register(name, tables[name])
        order = ("location", "provider", "care_site")
        for name in order:  # the visits look these up
            con.execute(f"create temp table {name} as {_SQL[name]}")
        _prepare(con, extract_at)
        for name in (*order, *[n for n in _SQL if n not in order]):
            path = out_dir / f"{name.upper()}.csv"
            sql = _SQL[name].replace("$extract_date", f"'{extract_at.date().isoformat()}'")
            con.sql(sql).write_csv(str(path), header=True)
            written.append(path)
    return written
