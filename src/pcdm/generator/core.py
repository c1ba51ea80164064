"""`generate`: the steps from residents to written files."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
from tqdm import tqdm

from pcdm.contract import load_contract
from pcdm.generator import crm, health, omop, population, social
from pcdm.generator.arrays import make_table
from pcdm.generator.config import CountyConfig, GenerationResult
from pcdm.generator.defects import DefectInjector
from pcdm.generator.reference import load_reference
from pcdm.generator.writer import write_table

GENERATOR_VERSION = "1.0.0"
MANIFEST_NAME = "_defects"
MANIFEST_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("row_key", pa.string()),
        ("defect_kind", pa.string()),
        ("expected_reason", pa.string()),
    ]
)
# central hospitals: Kanta-Häme central hospital (Hämeenlinna), Soite central hospital (Kokkola)
HOSPITALS = {"07": "KHKS", "18": "KPKS"}
STEPS = ["population", "health", "social", "crm", "defects", "write"]


def _rng(config: CountyConfig, step: str) -> np.random.Generator:
    return np.random.default_rng([config.seed, STEPS.index(step), 7919])


def generate(
    config: CountyConfig, out_dir: Path, fmt: str = "parquet", progress: bool = True
) -> GenerationResult:
    """Generate the county and write every raw table, `_defects` and `_generator.json`."""
    if fmt not in ("parquet", "csv", "omop"):
        raise ValueError(f"unknown format {fmt!r}: parquet, csv or omop")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ref = load_reference()
    extract_at = np.datetime64(config.extract_at, "s")
    extract_day = int(np.datetime64(config.extract_at.date(), "D").astype(np.int64))
    bar = tqdm(total=len(STEPS), desc="generate", unit="step", disable=not progress)
    tables: dict[str, pa.Table] = {}
    linked: dict[str, np.ndarray] = {}

    bar.set_postfix_str("population")
    people = population.build_people(config, ref, _rng(config, "population"))
    prng = _rng(config, "population")
    tables["population_person"] = make_table(
        "population_person", population.person_columns(people, ref, config, prng)
    )
    tables["population_id_link"] = make_table(
        "population_id_link", population.id_link_columns(people, config, prng)
    )
    bar.update()

    bar.set_postfix_str("health")
    hospital = HOSPITALS[config.county_code]
    h = health.build_health(people, ref, _rng(config, "health"), extract_day, extract_at, hospital)
    for name, columns in (
        ("health_contact", h.contact),
        ("health_episode", h.episode),
        ("health_diagnosis", h.diagnosis),
        ("health_procedure", h.procedure),
    ):
        tables[name] = make_table(name, columns)
    linked.update(h.linked_keys)
    bar.update()

    bar.set_postfix_str("social")
    s = social.build_social(people, ref, _rng(config, "social"), extract_day, extract_at)
    tables["social_decision"] = make_table("social_decision", s.decision)
    tables["social_contact"] = make_table("social_contact", s.contact)
    tables["income_support"] = make_table("income_support", s.income_support)
    linked.update(s.linked_keys)
    bar.update()

    bar.set_postfix_str("crm")
    crng = _rng(config, "crm")
    social_clients = np.zeros(people.n, dtype=bool)
    social_clients[s.case_person[np.isin(s.case_type, [0, 1, 3, 5, 6, 8])]] = True
    heavy = (people.need >= np.quantile(people.need, 0.92)) | np.isin(
        np.arange(people.n), s.case_person[np.isin(s.case_type, [3, 6, 8, 12])]
    )
    users = np.zeros(people.n, dtype=bool)
    users[h.contact_person] = True
    columns, linked["crm_channel_contact"] = crm.channel_contacts(
        people, crng, extract_at, social_clients
    )
    tables["crm_channel_contact"] = make_table("crm_channel_contact", columns)
    columns, team_linked, _ = crm.care_team(people, crng, extract_at, heavy, social_clients)
    tables["crm_care_team"] = make_table("crm_care_team", columns)
    columns, linked["crm_consent"] = crm.consents(people, crng, extract_at, users)
    tables["crm_consent"] = make_table("crm_consent", columns)
    columns, linked["care_plan"] = crm.care_plans(people, crng, extract_at, heavy, social_clients)
    tables["care_plan"] = make_table("care_plan", columns)
    columns, linked["feedback_response"] = crm.feedback(people, h, crng, extract_at)
    tables["feedback_response"] = make_table("feedback_response", columns)
    columns, linked["client_fee"] = crm.client_fees(people, h, crng, extract_day, extract_at)
    tables["client_fee"] = make_table("client_fee", columns)
    bar.update()

    bar.set_postfix_str("defects")
    register_ids = [
        c.decode() for c in people.person_id[people.death == population.NO_DEATH][:50_000]
    ]
    injector = DefectInjector(
        _rng(config, "defects"),
        config.extract_at,
        config.defect_rate,
        [c.decode() for c in people.person_id],
        [c.decode() for c in people.temp_id[people.temp_id != b""]],
    )
    injector.register_ids = register_ids
    # linked temporary ids: stage under the permanent person (manifest rows, empty reason)
    for name, keys in linked.items():
        for key in keys:
            injector.manifest.append((name, key.decode(), "linked_temporary_id", ""))
    team = (
        tables["crm_care_team"].filter(pa.array(team_linked)).to_pylist()
        if team_linked.any()
        else []
    )
    for row in team:
        injector.add("crm_care_team", row, "linked_temporary_id", "")
    clean_rows = {name: t.num_rows for name, t in tables.items()}
    clean = dict(tables)
    for name in load_contract():
        tables[name] = injector.inject(name, tables[name])
    manifest = pa.Table.from_pylist(
        [dict(zip(MANIFEST_SCHEMA.names, row, strict=True)) for row in injector.manifest],
        schema=MANIFEST_SCHEMA,
    )
    bar.update()

    bar.set_postfix_str("write")
    files = []
    raw_dir, raw_fmt, raw_tables = out_dir, fmt, list(load_contract())
    if fmt == "omop":  # the CDM instance, and the raw contract's other tables beside it
        files += [str(p) for p in omop.write_omop(clean, out_dir / "omop", config.extract_at)]
        raw_dir, raw_fmt = out_dir / "raw", "parquet"
        raw_tables = [n for n in raw_tables if n not in omop.MAPPED_TABLES]
        raw_dir.mkdir(exist_ok=True)
        manifest = manifest.filter(pa.compute.is_in(manifest["table_name"], pa.array(raw_tables)))
    for name in raw_tables:
        files.append(str(write_table(tables[name], raw_dir, name, raw_fmt)))
    files.append(str(write_table(manifest, raw_dir, MANIFEST_NAME, raw_fmt)))
    bar.update()
    bar.close()

    # with omop, the mapped tables are written clean (as CDM rows): no bad rows in them
    written_tables = {name: tables[name] if name in raw_tables else clean[name] for name in clean}
    row_counts = {name: written_tables[name].num_rows for name in load_contract()}
    defect_rows = sum(row_counts[n] - clean_rows[n] for n in row_counts)
    seconds = time.perf_counter() - started
    info = {
        "generator_version": GENERATOR_VERSION,
        "config": {
            k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(config).items()
        },
        "residents": people.n,
        "format": fmt,
        "row_counts": row_counts,
        "clean_rows": clean_rows,
        "defect_rows": defect_rows,
        "manifest_rows": manifest.num_rows,
        "seconds": round(seconds, 2),
    }
    (out_dir / "_generator.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return GenerationResult(
        residents=people.n,
        row_counts=row_counts,
        defect_rows=defect_rows,
        files=files,
        seconds=seconds,
    )
