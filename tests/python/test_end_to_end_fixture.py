"""`dbt build` on the hand-made mini county (tests/fixtures/mini_county), checked against answers
worked out by hand from the fixture rows and the seeds (see tests/fixtures/mini_county/README.md).

The build also runs every dbt data test; a failing one fails `pipeline.build` (the dbt unit tests
run once, in test_dbt_unit_tests.py).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pytest

from pcdm import pipeline
from pcdm.contract import PROJECT_DIR
from pcdm.pseudonym import person_key

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "mini_county"
SALT = "fixture-salt-0123456789abcdef"

# The persons of the fixture by letter (normalised identity codes).
A, B, C, D = "010150-123A", "150385-246Y", "121240-555M", "230688-444P"
E, F, G, H, I_ = "010170-777K", "280220A123T", "050575-321Y", "050575Y321Y", "070747-4560"


def key(person_id: str) -> str:
    return person_key(person_id, SALT)


@pytest.fixture(scope="module")
def database(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch_module
) -> duckdb.DuckDBPyConnection:
    work = tmp_path_factory.mktemp("mini_county")
    monkeypatch_module.setenv("PCDM_PSEUDONYM_SALT", SALT)
    target = pipeline.DbtTarget(
        raw_path=FIXTURE, database_path=work / "warehouse.duckdb", raw_format="csv", work_path=work
    )
    pipeline.build(target, unit_tests=False, quiet=True)
    con = duckdb.connect(str(target.database_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def test_every_bad_row_is_quarantined_with_its_reason_and_nothing_else(database):
    care_team_key = f"{key(A)}|PRO9|janitor|2025-01-01"
    expected = sorted(
        [
            ("population_person", key("010150-123B"), "invalid_person_id"),  # wrong check char
            ("population_person", key("310299-1234"), "invalid_person_id"),  # 31 Feb, bad check
            ("population_person", key(C), "duplicate_row"),  # same row twice in one extract
            ("population_person", key(B), "superseded_delivery"),  # older extract of B
            ("population_person", key("150660-246X"), "invalid_value"),  # sex code missing
            ("population_id_link", key("010101-901S"), "orphan_person"),  # target not in register
            ("health_contact", "C04", "unlinked_temporary_id"),
            ("health_contact", "C05", "orphan_person"),
            ("health_contact", "C08", "unknown_service_code"),
            ("health_contact", "C09", "future_date"),
            ("health_contact", "C10", "conflicting_duplicate"),  # both copies: cost 50 vs 55
            ("health_contact", "C10", "conflicting_duplicate"),
            ("health_contact", "C12", "invalid_person_id"),  # wrong check character (Y is right)
            ("health_contact", "C13", "unlinked_temporary_id"),  # its link is itself an orphan
            ("health_episode", "E04", "end_before_start"),
            ("health_episode", "E05", "invalid_value"),  # admission type missing
            ("health_diagnosis", "D02", "orphan_record"),  # contact C99 does not exist
            ("health_diagnosis", "D03", "orphan_record"),  # contact C08 is quarantined
            ("health_diagnosis", "D05", "invalid_value"),  # code system missing
            ("health_procedure", "P02", "orphan_record"),  # contact C04 is quarantined
            ("social_decision", "S04", "end_before_start"),
            ("social_contact", "SC02", "unknown_service_task_code"),
            ("income_support", "I02", "invalid_value"),  # payment_month not a first of month
            ("crm_channel_contact", "K02", "invalid_value"),  # channel fax
            ("crm_care_team", care_team_key, "invalid_value"),  # role janitor
            ("crm_consent", "N02", "invalid_value"),  # status maybe
            ("care_plan", "PL02", "end_before_start"),
            ("feedback_response", "F02", "invalid_value"),  # nps 11
            ("client_fee", "B02", "end_before_start"),  # paid before invoiced
        ]
    )
    found = rows(
        database,
        "select source_table, source_row_key, reason_code from dq.dq_quarantine order by all",
    )
    assert found == expected


def test_raw_rows_are_all_accounted_for(database):
    found = rows(
        database,
        "select source_table, raw_rows, staged_rows, quarantined_rows, unaccounted_rows "
        "from dq.dq_reconciliation",
    )
    assert len(found) == 15
    raw_line_counts = {
        path.stem: len(path.read_text(encoding="utf-8").splitlines()) - 1
        for path in FIXTURE.glob("*.csv")
    }
    for table, raw, staged, quarantined, unaccounted in found:
        assert raw == raw_line_counts[table], table
        assert (staged + quarantined, unaccounted) == (raw, 0), table


def test_quarantine_never_shows_identity_codes(database):
    records = " ".join(r[0] for r in rows(database, "select raw_record from dq.dq_quarantine"))
    keys = " ".join(r[0] for r in rows(database, "select source_row_key from dq.dq_quarantine"))
    for code in (
        A,
        B,
        C,
        "010150-123B",
        "310299-1234",
        "150385-246X",
        "010101-901S",
        "131052-308T",
    ):
        assert code not in records and code not in keys


def test_dim_person(database):
    found = {
        r[0]: r[1:]
        for r in rows(
            database,
            "select person_key, birth_year, age, age_group, sex, municipality_code, "
            "language_code, is_in_scope from pcdm.dim_person",
        )
    }
    # Reference date R = 2026-10-31, the day before the extract. In scope: a home municipality in
    # Kanta-Häme (07), alive at the start of the 12-month window. D died 2025-06-01; E lives in
    # Tampere (837). C is under non-disclosure: the municipality is never shown. I died in the
    # window (age at death). G and H share DDMMYYZZZQ under signs - and Y: two persons.
    assert found == {
        key(A): (1950, 76, "65-79", "male", "109", "fi", True),
        key(B): (1985, 41, "18-64", "female", "694", "sv", True),
        key(C): (1940, 85, "80+", "male", "undisclosed", "fi", True),
        key(D): (1988, 36, "18-64", "female", "109", "fi", False),
        key(E): (1970, 56, "18-64", "male", "837", "fi", False),
        key(F): (2020, 6, "0-17", "male", "109", "fi", True),
        key(G): (1975, 51, "18-64", "male", "109", "fi", True),
        key(H): (1975, 51, "18-64", "male", "694", "fi", True),
        key(I_): (1947, 78, "65-79", "female", "109", "ru", True),
    }


def test_service_events_volumes_and_costs(database):
    found = sorted(
        rows(
            database,
            "select source_table, person_key, cast(event_date as varchar), service_key, channel, "
            "volume, volume_unit, cost_eur, is_cost_imputed from pcdm.fct_service_event",
        )
    )
    hc, ep, sd = "health_contact", "health_episode", "social_decision"
    expected = sorted(
        [
            (hc, key(A), "2026-05-10", "gp_reception", "in_person", 1, "contact", 50, False),
            # no source cost: the GP contact unit cost 125
            (hc, key(A), "2026-06-10", "gp_reception", "in_person", 1, "contact", 125, True),
            # recorded under F's temporary id 280220B9040, linked to F
            (hc, key(F), "2026-02-01", "nurse_reception", "phone", 1, "contact", 20, False),
            (hc, key(G), "2026-04-01", "emergency_care", "in_person", 1, "contact", 300, False),
            (hc, key(H), "2026-04-02", "emergency_care", "in_person", 1, "contact", 300, False),
            # ' 150385-246y ' normalised to B; R52 is real-time remote care (video)
            (hc, key(B), "2026-08-02", "gp_reception", "video", 1, "contact", 10, False),
            # 1-5 March: 4 care days x 1100 (specialised somatic)
            (
                ep,
                key(A),
                "2026-03-01",
                "inpatient_specialised_somatic",
                "inpatient",
                4,
                "care_day",
                4400,
                True,
            ),
            # same-day stay counts 1 day; source cost 400
            (ep, key(C), "2026-04-01", "inpatient_primary", "inpatient", 1, "care_day", 400, False),
            # ongoing since 20 Oct: 12 days to the extract date 1 Nov x 350
            (
                ep,
                key(C),
                "2026-10-20",
                "inpatient_primary",
                "inpatient",
                12,
                "care_day",
                4200,
                True,
            ),
            # 1 Jan-31 Mar = 90 days = 2.96 months x 1000 per month
            (
                sd,
                key(A),
                "2026-01-01",
                "home_care",
                "decision",
                2.96,
                "decision_month",
                2960,
                False,
            ),
            # denied: 0 months, cost 0; family social work is priced per contact only
            (
                sd,
                key(B),
                "2026-02-01",
                "family_social_work",
                "decision",
                0,
                "decision_month",
                0,
                False,
            ),
            # in force since 1 Oct: 31 days = 1.02 months; home care is priced per visit: cost 0
            (sd, key(C), "2026-10-01", "home_care", "decision", 1.02, "decision_month", 0, False),
            (
                "social_contact",
                key(B),
                "2026-03-03",
                "family_social_work",
                "phone",
                1,
                "contact",
                110,
                True,
            ),
            (
                "income_support",
                key(B),
                "2026-05-01",
                "income_support",
                "payment",
                1,
                "payment",
                500,
                False,
            ),
            (
                "crm_channel_contact",
                key(A),
                "2026-09-01",
                "crm_phone",
                "phone",
                1,
                "interaction",
                8,
                True,
            ),
        ]
    )
    assert found == expected


def test_identity_codes_do_not_leave_staging(database):
    tables = rows(
        database,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('intermediate', 'pcdm', 'dq') and data_type = 'VARCHAR'",
    )
    for schema, table, column in tables:
        values = {r[0] for r in rows(database, f'select distinct "{column}" from {schema}.{table}')}
        assert not values & {A, B, C, D, E, F, G, H, I_}, f"{schema}.{table}.{column}"


@pytest.fixture(scope="module")
def broken_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every broken delivery: the same raw path and database each time, so that dbt
    parses the project once for all of them (its partial parsing needs the same vars)."""
    return tmp_path_factory.mktemp("broken_delivery")


@pytest.fixture
def broken_delivery(broken_work: Path) -> Path:
    """A fresh copy of the fixture, for a test to break, in broken_work."""
    raw = broken_work / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    shutil.copytree(FIXTURE, raw)
    return raw


def _build_error(raw: Path, work: Path) -> str:
    target = pipeline.DbtTarget(
        raw_path=raw, database_path=work / "x.duckdb", raw_format="csv", work_path=work
    )
    with pytest.raises(pipeline.PipelineError) as failure:
        pipeline.run_dbt(["build", "--exclude", "resource_type:seed"], target, quiet=True)
    return str(failure.value)


def test_missing_table_file_is_named(broken_delivery: Path, monkeypatch):
    monkeypatch.setenv("PCDM_PSEUDONYM_SALT", SALT)
    (broken_delivery / "crm_consent.csv").unlink()
    message = _build_error(broken_delivery, broken_delivery.parent)
    assert "missing table file(s)" in message and "crm_consent.csv" in message
    assert "Traceback" not in message


def test_missing_column_is_named(broken_delivery: Path, monkeypatch):
    monkeypatch.setenv("PCDM_PSEUDONYM_SALT", SALT)
    path = broken_delivery / "health_episode.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line.replace(",care_level", ",level") for line in lines) + "\n", encoding="utf-8"
    )
    message = _build_error(broken_delivery, broken_delivery.parent)
    assert "required column(s) missing" in message and "health_episode.care_level" in message


def test_a_dbt_session_runs_its_commands_in_one_process_and_frees_the_database(
    broken_delivery: Path, monkeypatch
):
    """pipeline.build runs both steps in one DbtSession: the worker parses once (here ahead of the
    first command, as while pcdm run generates the demo county), lets another process open the
    database between commands (the disclosure control writes its decisions there), and a failing
    command names its cause as a dbt process of its own would."""
    monkeypatch.setenv("PCDM_PSEUDONYM_SALT", SALT)
    work = broken_delivery.parent / "session"
    target = pipeline.DbtTarget(
        raw_path=broken_delivery, database_path=work / "s.duckdb", raw_format="csv", work_path=work
    )
    command = ["build", "--select", "municipalities"]  # a seed and its tests, after the raw check
    with pipeline.DbtSession() as session:
        session.parse_ahead(target)
        worker = session.process.pid
        parsed = target.dbt_target_path() / "partial_parse.msgpack"
        waited = 0.0
        while not parsed.exists() and waited < 60:  # parsed with no command sent
            time.sleep(0.2)
            waited += 0.2
        assert parsed.exists()
        pipeline.run_dbt(command, target, quiet=True, session=session)
        assert session.process.pid == worker
        with duckdb.connect(str(target.database_path)) as con:  # read-write, from this process
            assert con.sql("select count(*) from reference.municipalities").fetchall()[0][0] > 0
        (broken_delivery / "crm_consent.csv").unlink()
        with pytest.raises(pipeline.PipelineError) as failure:
            pipeline.run_dbt(command, target, quiet=True, session=session)
        assert session.process is not None and session.process.pid == worker
    message = str(failure.value)
    assert message.startswith("`dbt build --select municipalities`")
    assert "missing table file(s)" in message and "crm_consent.csv" in message
    assert session.process is None  # closed with the session
