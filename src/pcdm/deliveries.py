"""The delivery store of a data dir: every delivery `pcdm run --nightly` applied
(docs/raw-contract.md "Delivery sequence", README "Nightly deliveries").

    <data-dir>/deliveries/0001_<folder name>/   the table files as delivered, and _delivery.json:
                                                its content hash, the folder it came from, when it
                                                was applied, and its state

A delivery is added (state `applying`) before the build that applies it and marked `applied` once
the warehouse that holds it is published; a failed run removes it again, and the next run removes
the leftover of a run killed before publishing (it is not in the published warehouse's
dq.dq_delivery_log). So the store always holds exactly the deliveries of the published warehouse,
and a full refresh rebuilds that warehouse from them. A folder whose table files have the content
hash of a delivery kept is recognised as applied already.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pcdm.contract import load_contract

STORE = "deliveries"
MANIFEST = "_delivery.json"
APPLYING, APPLIED = "applying", "applied"


@dataclass(frozen=True)
class Delivery:
    path: Path
    content_hash: str
    folder: str
    applied_at: str
    raw_format: str
    state: str

    @property
    def delivery_id(self) -> str:
        return self.path.name


def content_hash(folder: Path, raw_format: str) -> str:
    """SHA-256 over the names and bytes of the contract's table files of a folder."""
    digest = hashlib.sha256()
    for table in sorted(load_contract()):
        path = folder / f"{table}.{raw_format}"
        digest.update(f"{path.name}\0".encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


class Store:
    def __init__(self, data_dir: Path):
        self.root = data_dir / STORE

    @property
    def every_delivery(self) -> Path:
        """The raw_path of a build over every delivery kept (a glob the DuckDB sources read)."""
        return self.root / "*"

    def deliveries(self) -> list[Delivery]:
        """The deliveries kept, in the order they were applied."""
        if not self.root.is_dir():
            return []
        found = []
        for path in sorted(p for p in self.root.iterdir() if (p / MANIFEST).is_file()):
            info = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            found.append(
                Delivery(
                    path,
                    info["content_hash"],
                    info["folder"],
                    info["applied_at"],
                    info["raw_format"],
                    info["state"],
                )
            )
        return found

    def find(self, digest: str) -> Delivery | None:
        return next((d for d in self.deliveries() if d.content_hash == digest), None)

    def add(self, folder: Path, raw_format: str, digest: str) -> Delivery:
        """Copy a delivery's table files into the store (state applying)."""
        kept = self.deliveries()
        if kept and kept[-1].raw_format != raw_format:
            raise ValueError(
                f"{folder} holds {raw_format} files, the deliveries kept are {kept[-1].raw_format}"
            )
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.resolve().name).strip("-") or "delivery"
        path = self.root / f"{len(kept) + 1:04d}_{name}"
        partial = self.root / f".{path.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for table in load_contract():
            shutil.copyfile(folder / f"{table}.{raw_format}", partial / f"{table}.{raw_format}")
        applied_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        delivery = Delivery(path, digest, str(folder.resolve()), applied_at, raw_format, APPLYING)
        _write_manifest(partial, delivery)
        partial.rename(path)
        return delivery

    def mark_applied(self, delivery: Delivery) -> None:
        _write_manifest(delivery.path, delivery, APPLIED)

    def remove(self, delivery: Delivery) -> None:
        shutil.rmtree(delivery.path, ignore_errors=True)

    def recover(self, published_ids: set[str]) -> None:
        """After a run that was killed: drop what it had not published, keep what it had."""
        if not self.root.is_dir():
            return
        for partial in self.root.glob(".*.partial"):
            shutil.rmtree(partial, ignore_errors=True)
        for delivery in self.deliveries():
            if delivery.state == APPLYING:
                if delivery.delivery_id in published_ids:
                    self.mark_applied(delivery)
                else:
                    self.remove(delivery)

    def dbt_vars(self) -> dict[str, dict[str, str]]:
        """The var deliveries_applied of models/marts/dq/dq_delivery_log.sql."""
        return {
            d.delivery_id: {"folder": d.folder, "applied_at": d.applied_at}
            for d in self.deliveries()
        }


def folders(raw_path: Path) -> list[Path]:
    """The delivery folders a build's raw_path names: every delivery kept, in the order applied,
    for a store's glob (Store.every_delivery); else the one folder."""
    if raw_path.name == "*":
        return sorted(p for p in raw_path.parent.iterdir() if (p / MANIFEST).is_file())
    return [raw_path]


def _write_manifest(path: Path, delivery: Delivery, state: str | None = None) -> None:
    info = {
        "content_hash": delivery.content_hash,
        "folder": delivery.folder,
        "applied_at": delivery.applied_at,
        "raw_format": delivery.raw_format,
        "state": state or delivery.state,
    }
    partial = path / f"{MANIFEST}.partial"
    partial.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    partial.replace(path / MANIFEST)


def published_delivery_ids(warehouse: Path) -> set[str]:
    """The deliveries in a published warehouse (its dq.dq_delivery_log); none without one."""
    if not warehouse.exists():
        return set()
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            rows = con.sql("select distinct delivery_id from dq.dq_delivery_log").fetchall()
        except duckdb.CatalogException:
            return set()
    return {row[0] for row in rows}
