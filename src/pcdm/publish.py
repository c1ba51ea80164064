"""Publishing a run without touching the last good state until it is complete.

A run builds into a new database file next to the published one and swaps it into place (a rename,
atomic on one file system) only after the data-quality gate passed and the report files were
written; a reader that has the old file open keeps reading it. A failed or blocked build is kept
as `warehouse.failed.duckdb` for the data stewards (its dq schema says why). One run at a time per
data dir: run_lock() holds an exclusive lock on `<data-dir>/.pcdm-run.lock` for the whole run (the
operating system releases it when the process ends, however it ends).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from pcdm.pipeline import PipelineError

LOCK_FILE = ".pcdm-run.lock"


class RunLocked(PipelineError):
    """Another run holds the lock of the data dir."""

    exit_code = 4


@dataclass(frozen=True)
class Warehouse:
    """The database files of a data dir."""

    data_dir: Path

    @property
    def published(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def building(self) -> Path:
        return self.data_dir / "warehouse.building.duckdb"

    @property
    def failed(self) -> Path:
        return self.data_dir / "warehouse.failed.duckdb"

    def start(self) -> Path:
        """A fresh file to build into (the leftover of a killed run is removed)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _remove(self.building)
        return self.building

    def publish(self) -> None:
        """Swap the finished build into place; an older failed build no longer applies."""
        import duckdb

        with duckdb.connect(str(self.building)) as con:
            con.execute("checkpoint")  # everything in the file itself, no write-ahead log beside it
        os.replace(self.building, self.published)
        _remove(self.failed)

    def keep_failed(self) -> Path | None:
        """Keep a failed or blocked build for the stewards (None when nothing was built)."""
        if not self.building.exists():
            return None
        _remove(self.failed)
        os.replace(self.building, self.failed)
        wal = Path(f"{self.building}.wal")
        if wal.exists():
            os.replace(wal, Path(f"{self.failed}.wal"))
        return self.failed

    def discard(self) -> None:
        _remove(self.building)


def _remove(path: Path) -> None:
    for file in (path, Path(f"{path}.wal")):
        with contextlib.suppress(FileNotFoundError):
            file.unlink()


@contextlib.contextmanager
def run_lock(data_dir: Path):
    """Hold the run lock of data_dir; RunLocked names the holder when another run has it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RunLocked(
                f"another pcdm run is using {data_dir} (lock {path} held by process {holder}); "
                "wait for it to finish, or stop that process. Nothing was changed."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        handle.close()
