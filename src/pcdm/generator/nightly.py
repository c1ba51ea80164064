"""`pcdm generate --nights N`: a county's delivery sequence (docs/raw-contract.md).

The county is generated once, as of --extract-at, and cut into deliveries by the time of each row:

    day-00     the full extract N days before --extract-at: every row that happened by then
    night-NN   one folder per night, the same tables with only new or changed rows, loaded_at the
               night's extract time (each row keeps its offset from the generator's loaded_at, so
               that an older copy stays older)

Night k holds the rows of the day before it, and, chosen by a hash of the row's key (the same
seed, the same sequence):
    late arrivals    2 % of the rows of past days (0.5 % of the register's persons and links: their
                     rows wait in quarantine as orphan_person until they arrive), delivered on a
                     later night instead of day 0;
    corrections      1 % of the health contacts re-delivered with another cost, 1 % of the
                     residents with another municipality (the newest loaded_at wins);
    re-deliveries    1 % of the rows of every table delivered again unchanged (a duplicate across
                     nights: the older copy is superseded);
    late children    2 % of the diagnoses and procedures arrive a night after their contact or
                     episode (those of day 0 on any night);
    a full re-delivery of crm_consent on the last night (every row delivered until then, again);
    register updates 0.5 % of the residents re-delivered each night (the reference date, the day
                     before the newest population extract, moves with the nights);
and the bad rows the generator injects (at --defect-rate) fall on the nights of their dates.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from pcdm.contract import load_contract
from pcdm.generator.config import CountyConfig

# the time of a row: when it happened (a row without one belongs to the full extract)
EVENT_TIME = {
    "population_person": "birth_date",
    "population_id_link": "linked_at",
    "health_contact": "contact_start",
    "health_episode": "admission_date",
    "social_decision": "decision_date",
    "social_contact": "contact_start",
    "income_support": "payment_month",
    "crm_channel_contact": "occurred_at",
    "crm_care_team": "valid_from",
    "crm_consent": "valid_from",
    "care_plan": "created_date",
    "feedback_response": "responded_at",
    "client_fee": "invoice_date",
}
# rows that come with their parent record: (parent table, the parent's key, the child's column)
PARENTS = {
    "health_diagnosis": [
        ("health_contact", "contact_id", "record_id", "contact"),
        ("health_episode", "episode_id", "record_id", "episode"),
    ],
    "health_procedure": [("health_contact", "contact_id", "contact_id", None)],
}
FULL_REDELIVERY = "crm_consent"  # re-delivered in full on the last night


def generate_nights(
    config: CountyConfig, out_dir: Path, nights: int, fmt: str = "parquet"
) -> list[Path]:
    """Write day-00 and night-01 .. night-<nights> into out_dir; the folders, in order."""
    from pcdm.generator.core import generate

    if nights < 1:
        raise ValueError("--nights must be at least 1")
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="pcdm-nights-") as work:
        generate(config, Path(work), fmt="parquet", progress=False)
        return split_deliveries(Path(work), out_dir, nights, config.extract_at, fmt)


def _hash(key_sql: str, salt: str, modulo: int) -> str:
    return f"(hash_bucket(md5({key_sql} || '{salt}'), {modulo}))"


def split_deliveries(
    county: Path, out_dir: Path, nights: int, extract_at: datetime, fmt: str
) -> list[Path]:
    import duckdb

    contract = load_contract()
    folders = [out_dir / "day-00", *(out_dir / f"night-{k:02d}" for k in range(1, nights + 1))]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    t = f"timestamp '{extract_at.isoformat(sep=' ')}'"
    con = duckdb.connect()
    con.execute(
        "create macro hash_bucket(h, m) as cast(('0x' || substr(h, 1, 8))::bigint % m as integer)"
    )

    def read(table: str) -> str:
        return f"read_parquet('{county / f'{table}.parquet'}', file_row_number = true)"

    def key_sql(table: str) -> str:
        grain = contract[table].grain
        return "concat_ws('|', " + ", ".join(f"cast({c} as varchar)" for c in grain) + ")"

    def base_night(table: str) -> str:
        """The night a row happened on (0: the full extract), late arrivals moved on."""
        if table in PARENTS:
            return f"{table}_night"
        ev = f"cast({EVENT_TIME[table]} as timestamp)"
        happened = (
            f"case when {ev} is null then 0 when {ev} > {t} then {nights} else greatest(0, "
            f"{nights} - cast(floor(epoch({t} - {ev}) / 86400) as integer)) end"
        )
        late = _hash(key_sql(table), "late", 200)
        share = 1 if table.startswith("population_") else 4  # per 200 rows
        moved = f"1 + {_hash(key_sql(table), 'late-night', nights)}"
        return f"case when ({happened}) = 0 and {late} < {share} then {moved} else {happened} end"

    # the night of each row of every table with a time, then the children with their parents
    for table in EVENT_TIME:
        con.execute(
            f"create table {table} as select *, {base_night(table)} as night from {read(table)}"
        )
    for table, parents in PARENTS.items():
        joins, nights_of = [], []
        for i, (parent, parent_key, column, record_type) in enumerate(parents):
            on = f"p{i}.k = cast(c.{column} as varchar)"
            if record_type:
                on += f" and c.record_type = '{record_type}'"
            joins.append(
                f"left join (select cast({parent_key} as varchar) as k, min(night) as night "
                f"from {parent} group by 1) as p{i} on {on}"
            )
            nights_of.append(f"p{i}.night")
        parent_night = f"coalesce({', '.join(nights_of)}, 0)"
        child_key = key_sql(table).replace("cast(", "cast(c.")
        later = _hash(child_key, "child", 100)
        child_night = (
            f"case when {later} >= 2 or {parent_night} = {nights} then {parent_night} "
            f"when {parent_night} = 0 then 1 + {_hash(child_key, 'child-night', nights)} "
            f"else {parent_night} + 1 end"
        )
        con.execute(
            f"create table {table} as select c.*, {child_night} as night "
            f"from {read(table)} as c {' '.join(joins)}"
        )

    municipalities = [
        r[0]
        for r in con.sql(
            "select distinct municipality_code from population_person "
            "where municipality_code is not null order by 1"
        ).fetchall()
    ]
    for table, spec in contract.items():
        key = key_sql(table)
        copies = [f"select * exclude (night), night from {table}"]
        # re-delivered unchanged on a later night (a duplicate across nights)
        copies.append(
            f"select * exclude (night), 1 + {_hash(key, 'again-night', nights)} as night "
            f"from {table} where night = 0 and {_hash(key, 'again', 100)} = 0"
        )
        if table == "health_contact":
            copies.append(
                "select * exclude (night) replace (round(coalesce(cost_eur, 80.0) * 1.25, 2) "
                f"as cost_eur), 1 + {_hash(key, 'fix-night', nights)} as night from {table} "
                f"where night = 0 and {_hash(key, 'fix', 100)} = 1"
            )
        if table == "population_person" and municipalities:
            codes = "[" + ", ".join(f"'{c}'" for c in municipalities) + "]"
            moved = f"{codes}[1 + {_hash(key, 'moved-to', len(municipalities))}]"
            copies.append(
                f"select * exclude (night) replace ({moved} as municipality_code), "
                f"1 + {_hash(key, 'move-night', nights)} as night from {table} "
                f"where night = 0 and {_hash(key, 'move', 100)} = 1"
            )
            for k in range(1, nights + 1):
                copies.append(
                    f"select * exclude (night), {k} as night from {table} "
                    f"where night < {k} and {_hash(key, f'update-{k}', 200)} = 0"
                )
        rows = " union all ".join(f"({c})" for c in copies)
        con.execute(f"create or replace table {table}_out as {rows}")
        if table == FULL_REDELIVERY:
            con.execute(
                f"insert into {table}_out select * exclude (night), {nights} as night "
                f"from {table} where night < {nights}"
            )
        columns = ", ".join(
            "loaded_at - to_days({shift}) as loaded_at" if c == "loaded_at" else c
            for c in spec.column_names
        )
        for k, folder in enumerate(folders):
            shift = nights - k
            query = (
                f"select {columns.format(shift=shift)} from {table}_out where night = {k} "
                "order by file_row_number, loaded_at"
            )
            target = folder / f"{table}.{fmt}"
            options = "format parquet, compression zstd" if fmt == "parquet" else "format csv"
            con.execute(f"copy ({query}) to '{target}' ({options})")
    con.close()
    return folders
