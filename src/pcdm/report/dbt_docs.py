"""`python -m pcdm.report.dbt_docs [--parsed FILE] <dbt flags>`: the dbt docs of the offline report
in one dbt process: `dbt docs generate --static --no-compile` on a parsed project that holds no
compiled SQL, which dbt's programmatic runner takes as a manifest (`generate`; a run on DuckDB
runs it in the worker of its dbt session, pcdm.dbt_worker, where dbt is loaded already):

- `--parsed FILE`: the run's own build parsed the project already and saved it (dbt's
  partial_parse.msgpack, written before anything is compiled): it is loaded, instead of parsing the
  project again (about 6 s of CPU). Same project, vars and environment as the build; the database
  name is the same too (dbt-duckdb names the catalog after the file name's first part, `warehouse`
  for both warehouse.building.duckdb and warehouse.duckdb). A file that does not load falls back to
  the fresh parse.
- otherwise a fresh parse (`dbt parse --no-partial-parse`), as `pcdm report` does.

Exit code 0 when the docs were generated."""

from __future__ import annotations

import sys
from pathlib import Path


def saved_manifest(path: Path):
    """The parsed project dbt saved for partial parsing, or None when it does not load."""
    from dbt.contracts.graph.manifest import Manifest

    try:
        return Manifest.from_msgpack(path.read_bytes())
    except Exception as error:  # a missing, truncated or other-version file: parse afresh
        print(f"dbt docs: {path} not loaded ({type(error).__name__}): parsing afresh", flush=True)
        return None


def write_manifest(manifest, target_path: Path) -> None:
    """manifest.json, as `dbt parse` writes it: the static page embeds it. Outside a dbt command
    the one flag it reads is set as the docs command sets it (no usage statistics)."""
    from argparse import Namespace

    from dbt import flags

    flags.set_flags(Namespace(SEND_ANONYMOUS_USAGE_STATS=False))
    manifest.write(str(target_path / "manifest.json"))


DOCS = ["docs", "generate", "--static", "--no-compile"]


def generate(flags: list[str], parsed: Path | None) -> int:
    """The docs with these dbt flags (`--vars`, `--target-path`, ...), on the saved parse `parsed`
    or, when None or it does not load, on a fresh parse: 0 when they were generated. Runs in this
    process, or in the worker of a run's dbt session (pcdm.dbt_worker), where dbt is loaded
    already."""
    from dbt.cli.main import dbtRunner

    manifest = None if parsed is None else saved_manifest(parsed)
    if manifest is not None:
        write_manifest(manifest, Path(flags[flags.index("--target-path") + 1]))
    else:
        fresh = dbtRunner().invoke(["parse", "--no-partial-parse", *flags])
        if not fresh.success:
            return 1
        manifest = fresh.result
    generated = dbtRunner(manifest=manifest).invoke([*DOCS, *flags])
    return 0 if generated.success else 1


def main(argv: list[str]) -> int:
    parsed = None
    if argv[:1] == ["--parsed"]:
        parsed, argv = Path(argv[1]), argv[2:]
    return generate(argv, parsed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
