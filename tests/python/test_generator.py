"""The synthetic county generator: contract shape, determinism, identity codes, realism and the
manifest of injected reliability cases."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pcdm import hetu
from pcdm.contract import PROJECT_DIR, load_contract
from pcdm.generator import CountyConfig, generate
from pcdm.generator.defects import TABLE_KINDS

EXTRACT_AT = datetime(2026, 11, 1, 2, 0)
KEY_COLUMNS = {
    "health_contact": "contact_id",
    "health_episode": "episode_id",
    "health_diagnosis": "diagnosis_id",
    "health_procedure": "procedure_id",
    "social_decision": "decision_id",
    "social_contact": "contact_id",
    "income_support": "payment_id",
    "crm_channel_contact": "interaction_id",
    "crm_consent": "consent_id",
    "care_plan": "plan_id",
    "feedback_response": "response_id",
    "client_fee": "invoice_id",
    "population_person": "person_id",
    "population_id_link": "temporary_id",
}
EVENT_DATES = {
    "health_contact": ["contact_start"],
    "health_episode": ["admission_date", "discharge_date"],
    "social_decision": ["decision_date", "valid_from", "valid_to"],
    "social_contact": ["contact_start"],
    "income_support": ["payment_month"],
    "crm_channel_contact": ["occurred_at"],
    "care_plan": ["created_date", "closed_date"],
    "feedback_response": ["responded_at"],
    "client_fee": ["invoice_date", "paid_date"],
}


def _seed(name: str) -> pd.DataFrame:
    return pd.read_csv(PROJECT_DIR / "seeds" / f"{name}.csv", dtype=str, keep_default_na=False)


def _read(folder: Path, table: str, fmt: str = "parquet") -> pd.DataFrame:
    if fmt == "parquet":
        return pd.read_parquet(folder / f"{table}.parquet")
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def _keys(table: str, frame: pd.DataFrame) -> pd.Series:
    if table == "crm_care_team":
        return (
            frame.person_id.astype(str)
            + "|"
            + frame.professional_id
            + "|"
            + frame.role
            + "|"
            + pd.to_datetime(frame.valid_from).dt.strftime("%Y-%m-%d")
        )
    return frame[KEY_COLUMNS[table]].astype(str)


class County:
    def __init__(self, folder: Path, result):
        self.folder = folder
        self.result = result
        self.manifest = _read(folder, "_defects")
        self._cache: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = _read(self.folder, name)
        return self._cache[name]

    def clean(self, name: str) -> pd.DataFrame:
        """Rows whose key is not in the manifest at all."""
        frame = self.table(name)
        listed = set(self.manifest.row_key[self.manifest.table_name == name])
        return frame[~_keys(name, frame).isin(listed)]


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> County:
    folder = tmp_path_factory.mktemp("county")
    result = generate(CountyConfig(residents=12_000, seed=7), folder, progress=False)
    return County(folder, result)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.suffix == ".parquet"
    }


def test_every_contract_table_has_exactly_the_contract_columns(county):
    for name, raw in load_contract().items():
        frame = county.table(name)
        assert list(frame.columns) == raw.column_names, name
        assert len(frame) == county.result.row_counts[name]
        assert len(frame) > 0, name
    assert list(county.manifest.columns) == [
        "table_name",
        "row_key",
        "defect_kind",
        "expected_reason",
    ]


def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path):
    config = CountyConfig(residents=3_000, seed=11)
    generate(config, tmp_path / "a", progress=False)
    generate(config, tmp_path / "b", progress=False)
    generate(CountyConfig(residents=3_000, seed=12), tmp_path / "c", progress=False)
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert len(a) == len(load_contract()) + 1
    assert a == b
    assert all(a[name] != c[name] for name in a)


def test_clean_identity_codes_are_valid_and_sex_follows_parity(county):
    persons = county.clean("population_person")
    assert persons.person_id.map(hetu.is_valid).all()
    assert not persons.person_id.map(hetu.is_temporary).any()
    parity = persons.person_id.map(hetu.sex_code)
    assert (parity == persons.sex_code).all()
    born = persons.person_id.map(hetu.birth_date)
    assert (pd.to_datetime(born) == pd.to_datetime(persons.birth_date)).all()
    assert persons.person_id.is_unique
    signs = persons.person_id.str[6]
    assert {"-", "A"} <= set(signs) and {"Y", "B"} & set(signs)
    # pairs sharing DDMMYYZZZQ under different signs are distinct persons
    body = persons.person_id.str[:6] + persons.person_id.str[7:]
    shared = persons[body.duplicated(keep=False)]
    assert len(shared) >= 2 and shared.person_id.str[6].nunique() >= 2
    for name in ("health_contact", "social_decision", "crm_consent", "client_fee"):
        ids = county.clean(name).person_id
        assert ids.map(hetu.is_valid).all(), name
        registered = county.table("population_person").person_id
        assert ids[~ids.map(hetu.is_temporary)].isin(registered).all(), name


def test_municipalities_belong_to_the_county_apart_from_a_small_share(county):
    municipalities = _seed("municipalities")
    county_codes = set(municipalities.municipality_code[municipalities.county_code == "07"])
    persons = county.clean("population_person")
    inside = persons.municipality_code.isin(county_codes).mean()
    assert 0.97 <= inside <= 0.995
    assert persons.municipality_code.isin(set(municipalities.municipality_code)).all()
    # the biggest municipality of Kanta-Häme is Hämeenlinna
    assert persons.municipality_code.value_counts().index[0] == "109"


def test_age_structure_and_languages_are_plausible(county):
    persons = county.clean("population_person")
    age = (pd.Timestamp("2026-10-31") - pd.to_datetime(persons.birth_date)).dt.days / 365.25
    assert 0.18 <= (age >= 65).mean() <= 0.30
    assert 40 <= age.median() <= 50
    assert 0.85 <= (persons.language_code == "fi").mean() <= 0.97
    assert 0.002 <= persons.non_disclosure.mean() <= 0.01
    assert 0.005 <= persons.death_date.notna().mean() <= 0.04


def test_every_manifest_row_key_exists_in_its_table(county):
    for name, rows in county.manifest.groupby("table_name"):
        keys = set(_keys(name, county.table(name)))
        assert set(rows.row_key) <= keys, name


def test_every_defect_kind_appears_in_the_manifest(county):
    kinds = set(county.manifest.defect_kind)
    expected = {k for kinds_of in TABLE_KINDS.values() for k in kinds_of} | {"linked_temporary_id"}
    assert expected <= kinds
    for name, table_kinds in TABLE_KINDS.items():
        listed = set(county.manifest.defect_kind[county.manifest.table_name == name])
        assert set(table_kinds) <= listed, name
    staged = county.manifest[county.manifest.expected_reason == ""].defect_kind
    assert set(staged) == {"person_id_lowercase", "person_id_padded", "linked_temporary_id"}
    reasons = set(_seed("dq_reason_codes").reason_code)
    assert set(county.manifest.expected_reason) - {""} <= reasons


def test_keys_are_unique_apart_from_the_listed_duplicates(county):
    duplicate_kinds = {"duplicate_row", "conflicting_duplicate", "superseded_delivery"}
    for name in load_contract():
        keys = _keys(name, county.table(name)).str.strip()
        repeated = set(keys[keys.duplicated(keep=False)])
        listed = county.manifest[
            (county.manifest.table_name == name) & county.manifest.defect_kind.isin(duplicate_kinds)
        ]
        assert repeated == set(listed.row_key.str.strip()), name


def test_no_clean_event_after_the_extract_or_after_death(county):
    persons = county.clean("population_person").set_index("person_id")
    links = county.table("population_id_link").set_index("temporary_id").person_id
    death = pd.to_datetime(persons.death_date)
    for name, columns in EVENT_DATES.items():
        frame = county.clean(name)
        person = frame.person_id.map(lambda p: links.get(p, p))
        person_death = person.map(death)
        for column in columns:
            moment = pd.to_datetime(frame[column])
            assert (moment.dropna() < pd.Timestamp(EXTRACT_AT)).all(), (name, column)
            after_death = moment.dt.normalize() > person_death
            assert not after_death.fillna(False).any(), (name, column)
    episodes = county.clean("health_episode")
    ended = episodes.discharge_date.notna()
    assert (episodes.discharge_date[ended] >= episodes.admission_date[ended]).all()
    assert (~ended).any(), "some inpatient episodes are ongoing at the extract"


def _window_costs(county: County) -> pd.Series:
    """Cost per person in scope in the last 12 months (source cost, else the unit cost)."""
    reference = pd.Timestamp("2026-10-31")
    start = reference - pd.DateOffset(years=1)
    code_map = _seed("service_code_map")
    unit = _seed("unit_costs").set_index("service_key")
    unit_cost = unit.unit_cost_eur.astype(float)
    contact_unit = unit_cost.where(unit.cost_unit == "contact", 0.0)

    def service(table: str, codes: pd.Series) -> pd.Series:
        m = code_map[code_map.source_table == table].set_index("source_code").service_key
        return codes.map(m)

    parts = []
    for name in ("health_contact", "social_contact"):
        frame = county.clean(name)
        frame = frame[
            (frame.contact_start > start) & (frame.contact_start <= reference + timedelta(1))
        ]
        fallback = service(name, frame.service_code).map(contact_unit)
        parts.append(pd.Series(frame.cost_eur.fillna(fallback).to_numpy(), index=frame.person_id))
    episodes = county.clean("health_episode")
    admit = pd.to_datetime(episodes.admission_date)
    discharge = pd.to_datetime(episodes.discharge_date).fillna(reference + timedelta(1))
    stay = (discharge - admit).dt.days.clip(lower=1)
    days_in = (discharge.clip(upper=reference + timedelta(1)) - admit.clip(lower=start)).dt.days
    per_day = (episodes.cost_eur / stay).fillna(
        service("health_episode", episodes.specialty_code).map(unit_cost)
    )
    parts.append(pd.Series((per_day * days_in.clip(lower=0)).to_numpy(), index=episodes.person_id))
    decisions = county.clean("social_decision")
    decisions = decisions[decisions.decision_type == "granted"]
    valid_from = pd.to_datetime(decisions.valid_from)
    valid_to = pd.to_datetime(decisions.valid_to).fillna(reference)
    months = (
        (valid_to.clip(upper=reference) - valid_from.clip(lower=start)).dt.days.clip(lower=0)
        * 12
        / 365.25
    )
    monthly = decisions.monthly_cost_eur.fillna(
        service("social_decision", decisions.service_code).map(unit_cost)
    )
    parts.append(pd.Series((monthly * months).to_numpy(), index=decisions.person_id))
    payments = county.clean("income_support")
    payments = payments[pd.to_datetime(payments.payment_month) > start]
    parts.append(pd.Series(payments.amount_eur.to_numpy(), index=payments.person_id))
    cost = pd.concat(parts)
    links = county.table("population_id_link").set_index("temporary_id").person_id
    cost.index = cost.index.map(lambda p: links.get(p, p))
    persons = county.clean("population_person")
    municipalities = _seed("municipalities")
    in_county = persons.municipality_code.isin(
        municipalities.municipality_code[municipalities.county_code == "07"]
    )
    alive = pd.to_datetime(persons.death_date).isna() | (pd.to_datetime(persons.death_date) > start)
    scope = persons.person_id[in_county & alive]
    return cost.groupby(level=0).sum().reindex(scope, fill_value=0.0)


def test_costs_are_heavy_tailed_like_finnish_counties(county):
    cost = np.sort(_window_costs(county).to_numpy())[::-1]
    top = cost[: len(cost) // 10].sum() / cost.sum()
    assert 0.7 <= top <= 0.9
    assert 0.15 <= np.isnan(county.clean("health_contact").cost_eur.to_numpy()).mean() <= 0.35


def test_outpatient_volume_is_realistic(county):
    contacts = county.clean("health_contact")
    recent = contacts[contacts.contact_start > pd.Timestamp("2025-10-31")]
    per_resident = len(recent) / county.result.residents
    assert 2.5 <= per_resident <= 6
    rows = sum(county.result.row_counts.values()) / county.result.residents
    assert 12 <= rows <= 30


def test_people_with_exactly_five_and_six_emergency_visits_in_the_last_year(county):
    code_map = _seed("service_code_map")
    emergency = set(code_map.source_code[code_map.service_key == "emergency_care"])
    contacts = county.clean("health_contact")
    visits = contacts[
        contacts.service_code.isin(emergency)
        & (contacts.contact_start > pd.Timestamp("2025-11-01"))
        & (contacts.contact_start < pd.Timestamp("2026-11-01"))
    ]
    assert visits.is_emergency.all()
    counts = visits.groupby("person_id").size().value_counts()
    assert counts.get(5, 0) >= 1 and counts.get(6, 0) >= 1
    assert counts.index.max() >= 10  # a long tail of frequent users


def test_diagnoses_use_icpc2_in_primary_care_and_icd10_on_episodes(county):
    diagnoses = county.clean("health_diagnosis")
    on_episodes = diagnoses[diagnoses.record_type == "episode"]
    assert (on_episodes.code_system == "ICD-10").all()
    assert set(diagnoses.code_system) == {"ICD-10", "ICPC-2"}
    primary = diagnoses[diagnoses["rank"] == 1].groupby(["record_type", "record_id"]).size()
    assert (primary == 1).all()
    procedures = county.clean("health_procedure")
    oral = _seed("oral_procedure_codes")
    assert procedures.code.isin(set(oral.procedure_code)).all()
    demanding = set(oral.procedure_code[oral.is_demanding == "true"])
    assert 0 < procedures.code.isin(demanding).mean() < 0.3


def test_csv_delivery_loads_with_pandas(tmp_path):
    result = generate(
        CountyConfig(residents=2_000, county="keski-pohjanmaa"), tmp_path, fmt="csv", progress=False
    )
    for name, raw in load_contract().items():
        frame = _read(tmp_path, name, "csv")
        assert list(frame.columns) == raw.column_names
        assert len(frame) == result.row_counts[name]
    contacts = _read(tmp_path, "health_contact", "csv")
    assert set(contacts.is_emergency) == {"true", "false"}
    assert contacts.contact_start.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    persons = _read(tmp_path, "population_person", "csv")
    assert persons.birth_date.str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert (persons.death_date == "").mean() > 0.9
    manifest = _read(tmp_path, "_defects", "csv")
    assert len(manifest) > 0
