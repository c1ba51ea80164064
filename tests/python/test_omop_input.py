"""The OMOP CDM 5.4 input (docs/omop-mapping.md).

- `omop_mini` (tests/fixtures/omop_mini, README there): a hand-made CDM instance with upper- and
  lower-case file names and no raw contract table, run once by `pcdm run --input omop
  --id-scheme pseudonymous`; every answer below was worked out by hand from its rows and the seeds.
  Person keys are salted hashes of the OMOP person_id, identity codes are not validated, the crm
  layer is not built, the run says both, and the gate warns that no social-care data was delivered.
- The same county both ways, with identity codes: `pcdm generate --format omop` and the raw
  contract of the same county build the same person_segment and bi marts.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from conftest import run_cli
from pcdm import pipeline
from pcdm.contract import PROJECT_DIR
from pcdm.generator import CountyConfig, generate
from pcdm.pseudonym import person_key

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "omop_mini"
SALT = "omop-fixture-salt-0123456789"


EXTRACT = datetime(2026, 11, 1)  # cdm_source.source_release_date: loaded_at of every row


def key(person_id: str | int) -> str:
    """The person key of a pseudonym (here the OMOP person_id) or an identity code."""
    return person_key(str(person_id), SALT)


@pytest.fixture(scope="module")
def salted():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        yield


@pytest.fixture(scope="module")
def omop_mini_run(tmp_path_factory: pytest.TempPathFactory, salted):
    """omop_mini by `pcdm run`, pseudonymous, with no raw contract table: (database, output)."""
    data_dir = tmp_path_factory.mktemp("omop_mini")
    code, text = run_cli(
        [
            "run",
            "--input",
            "omop",
            "--omop-path",
            str(FIXTURE),
            "--id-scheme",
            "pseudonymous",
            "--data-dir",
            str(data_dir),
            "--dbt-work-path",
            str(data_dir / "dbt"),
            "--as-of",
            "2026-11-01T02:00",
        ]
    )
    # a county of five persons fails plausibility ranges, so the gate blocks (exit 3): the build
    # is kept for the stewards, and it is what the tests read
    assert code == 3, text
    con = duckdb.connect(str(data_dir / "warehouse.failed.duckdb"), read_only=True)
    yield con, text
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def test_every_unusable_cdm_row_is_quarantined_with_its_reason_and_nothing_else(omop_mini_run):
    mini, _ = omop_mini_run
    expected = [
        ("health_contact", "10", "orphan_person"),  # person 4 is quarantined
        ("health_contact", "7", "unknown_service_code"),  # visit concept 8756 is not mapped
        ("health_contact", "8", "unknown_service_code"),  # 9202 + neurology + source value XX
        # person 99 is a pseudonym nobody registered (with identity codes: invalid_person_id)
        ("health_contact", "9", "orphan_person"),
        ("health_diagnosis", "4", "unmapped_concept"),  # concept 4329847, no source vocabulary
        ("health_diagnosis", "5", "orphan_record"),  # on quarantined visit 7
        ("health_diagnosis", "7", "orphan_record"),  # no visit
        ("health_procedure", "2", "orphan_record"),  # on inpatient stay 5, not a contact
        ("population_person", key(4), "invalid_value"),  # gender concept 8551
    ]
    assert sorted(expected) == rows(
        mini,
        "select source_table, source_row_key, reason_code from dq.dq_quarantine order by all",
    )
    unaccounted = rows(mini, "select sum(unaccounted_rows) from dq.dq_reconciliation")
    assert unaccounted == [(0,)]
    delivered = rows(
        mini,
        "select source_table from dq.dq_input_tables where is_delivered order by source_table",
    )
    assert [t for (t,) in delivered] == sorted(
        ["population_person", "health_contact", "health_episode"]
        + ["health_diagnosis", "health_procedure"]
    )


def test_person_table_is_the_population_register(omop_mini_run):
    mini, _ = omop_mini_run
    assert rows(
        mini,
        """select person_id, birth_date, sex_code, municipality_code, language_code,
            non_disclosure, death_date, loaded_at
        from staging.stg_population__persons order by person_id""",
    ) == sorted(
        [
            ("1", date(1950, 1, 1), "1", "109", "fi", False, None, EXTRACT),
            # no day of birth: the 1st; city Riihimäki by name; language SV lower-cased
            ("2", date(1985, 3, 1), "2", "694", "sv", False, None, EXTRACT),
            # birth_datetime; no location of his own: his care site's (61 = Forssa 061)
            ("3", date(1940, 12, 12), "1", "061", "fi", True, None, EXTRACT),
            ("5", date(1970, 1, 1), "1", "837", None, False, None, EXTRACT),
            # no location at all: the most populous municipality of county 07 (Hämeenlinna)
            ("6", date(1947, 7, 7), "2", "109", None, False, date(2026, 1, 15), EXTRACT),
        ]
    )
    in_scope = rows(mini, "select person_key from pcdm.dim_person where is_in_scope order by 1")
    assert in_scope == sorted((key(p),) for p in (1, 2, 3, 6))  # person 5 lives in Tampere


def test_visits_are_contacts_and_episodes_with_service_channel_volume_and_cost(omop_mini_run):
    mini, _ = omop_mini_run
    assert rows(
        mini,
        """select person_key, event_date, source_table, service_key, channel, is_emergency,
            volume, cost_eur, is_cost_imputed
        from pcdm.fct_service_event order by all""",
    ) == sorted(
        [
            # 9202 + general practice -> T11; source cost 50 (the Drug cost row is not the visit's)
            (key(1), date(2026, 5, 4), "health_contact", "gp_reception", "in_person", False, 1.0,
             50.0, False),
            # the county's own code SH_VO in visit_source_value; unit cost
            (key(1), date(2026, 6, 1), "health_contact", "nurse_reception", "in_person", False,
             1.0, 51.0, True),
            # Emergency Room Visit, any specialty -> PAIV
            (key(2), date(2026, 7, 10), "health_contact", "emergency_care", "in_person", True,
             1.0, 330.0, True),
            # Telehealth reads as R52 (video); T11 in visit_source_value
            (key(2), date(2026, 8, 1), "health_contact", "gp_reception", "video", False, 1.0,
             125.0, True),
            # inpatient 03-01 -> 03-05: 4 care days; two cost rows 300 + 100
            (key(3), date(2026, 3, 1), "health_episode", "inpatient_specialised_somatic",
             "inpatient", False, 4.0, 400.0, False),
            # ER and inpatient, visit_end_date = extract date: ongoing, 12 days to 11-01 x 1100
            (key(3), date(2026, 10, 20), "health_episode", "inpatient_specialised_somatic",
             "inpatient", True, 12.0, 13200.0, True),
        ]
    )  # fmt: skip


def test_conditions_map_by_source_vocabulary_or_standard_concept(omop_mini_run):
    mini, _ = omop_mini_run
    assert rows(
        mini,
        """select diagnosis_id, record_type, record_id, diagnosis_code, code_system, diagnosis_rank
        from staging.stg_health__diagnoses order by diagnosis_id""",
    ) == [
        ("1", "contact", "1", "E11.9", "ICD-10", 1),  # source concept in ICD10fi; primary
        ("2", "contact", "4", "I10", "ICD-10", 2),  # SNOMED 320128 only -> I10; secondary
        ("3", "contact", "2", "T90", "ICPC-2", None),  # source concept in ICPC2
        ("6", "episode", "5", "I50.9", "ICD-10", 1),  # on the inpatient stay
    ]
    assert rows(
        mini,
        "select person_key, chronic_group from intermediate.int_person_chronic_conditions "
        "order by all",
    ) == sorted([(key(1), "diabetes"), (key(2), "hypertension"), (key(3), "heart_failure")])
    assert rows(
        mini, "select procedure_id, contact_id, procedure_code from staging.stg_health__procedures"
    ) == [("1", "2", "SAA01")]


def test_pseudonymous_run_says_so_builds_no_crm_and_warns_of_no_social_care(omop_mini_run):
    con, text = omop_mini_run
    assert "identity-code validation skipped" in text
    assert "The crm layer is not built: primary use for the CRM needs identity codes" in text
    assert "WARNING social_care_data_delivered" in text
    assert "skipped, their tables not delivered (dq.dq_input_tables): join_coverage_social" in text
    schemas = {s for (s,) in rows(con, "select schema_name from information_schema.schemata")}
    assert "crm" not in schemas and {"pcdm", "bi", "staging"} <= schemas
    # the person key is the salted hash of the OMOP person_id, the delivered pseudonym
    assert rows(
        con, "select person_id, person_key from staging.stg_population__persons order by 1"
    ) == [(str(i), key(i)) for i in (1, 2, 3, 5, 6)]


@pytest.fixture(scope="module")
def omop_both_ways(tmp_path_factory: pytest.TempPathFactory, salted):
    """One generated county built from its raw contract and from its OMOP instance: the models of
    person_segment and the bi marts (dbt run; the data tests run on the fixtures elsewhere)."""
    work = tmp_path_factory.mktemp("same_county")
    config = CountyConfig(residents=2000, seed=17, defect_rate=0.0)
    generate(config, work / "raw", fmt="parquet", progress=False)
    generate(config, work / "omop_county", fmt="omop", progress=False)
    cdm = work / "omop_county" / "omop"
    written = sorted(p.name for p in cdm.iterdir())
    # two of the CDM tables as typed Parquet with lower-case names: both formats, any case
    for name in ("PERSON", "VISIT_OCCURRENCE"):
        parquet = cdm / f"{name.lower()}.parquet"
        duckdb.sql(f"copy (from read_csv('{cdm / name}.csv')) to '{parquet}' (format parquet)")
        (cdm / f"{name}.csv").unlink()
    raw = pipeline.DbtTarget(
        raw_path=work / "raw", database_path=work / "raw.duckdb", work_path=work / "dbt_raw"
    )
    omop = pipeline.DbtTarget(
        raw_path=work / "omop_county" / "raw",
        database_path=work / "omop.duckdb",
        work_path=work / "dbt_omop",
        extra_vars=(("input", "omop"), ("omop_path", str(cdm))),
    )
    pipeline.run_dbt(["seed"], raw, quiet=True)
    shutil.copy(raw.database_path, omop.database_path)  # the same seeds
    for target in (raw, omop):
        pipeline.run_dbt(
            ["run", "--select", "+person_segment", "+path:models/marts/bi"], target, quiet=True
        )
    con = duckdb.connect()
    con.execute(f"attach '{raw.database_path}' as raw (read_only)")
    con.execute(f"attach '{omop.database_path}' as omop (read_only)")
    yield con, work, written
    con.close()


def test_generated_omop_instance_has_upper_case_cdm_files(omop_both_ways):
    _, work, written = omop_both_ways
    assert {"PERSON.csv", "VISIT_OCCURRENCE.csv", "CONDITION_OCCURRENCE.csv"} <= set(written)
    assert not (work / "omop_county" / "raw" / "health_contact.parquet").exists()
    assert (work / "omop_county" / "raw" / "social_decision.parquet").exists()


def test_same_county_from_omop_gives_the_same_segments_and_bi_marts(omop_both_ways):
    con, _, _ = omop_both_ways
    bi = [
        t
        for (t,) in rows(
            con,
            "select table_name from information_schema.tables "
            "where table_catalog = 'raw' and table_schema = 'bi' order by 1",
        )
    ]
    bi_omop = [
        t
        for (t,) in rows(
            con,
            "select table_name from information_schema.tables "
            "where table_catalog = 'omop' and table_schema = 'bi' order by 1",
        )
    ]
    assert bi and bi == bi_omop
    segments = rows(con, "select count(*) from raw.pcdm.person_segment")[0][0]
    assert segments > 1500  # the comparison is not of empty tables
    for table in ["pcdm.person_segment", *(f"bi.{t}" for t in bi)]:
        for left, right in (("raw", "omop"), ("omop", "raw")):
            only = rows(
                con,
                f"select count(*) from (select * from {left}.{table} "
                f"except all select * from {right}.{table})",
            )[0][0]
            assert only == 0, f"{table}: {only} rows only in the {left} build"


def test_a_missing_cdm_table_or_option_is_named_before_anything_runs(tmp_path: Path, salted):
    delivery = tmp_path / "omop"
    shutil.copytree(FIXTURE, delivery)
    (delivery / "VISIT_OCCURRENCE.csv").unlink()
    for args, expected in (
        (["--input", "omop", "--omop-path", str(delivery)], "CDM table(s) missing in"),
        (["--input", "omop"], "--input omop needs --omop-path"),
        (["--input", "omop", "--omop-path", str(tmp_path / "none")], "does not exist"),
    ):
        code, printed = run_cli(["run", *args, "--data-dir", str(tmp_path / "data")])
        first = printed.strip().splitlines()[0]
        assert code == 2 and expected in first, printed
        if "CDM table" in expected:
            assert first.endswith(": visit_occurrence (a file <table>.csv or .parquet, any case)")
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()
