"""`pcdm run` as a sequence of steps, each a function; none touches the last good state.
run_county(settings) runs them and returns a RunOutcome (the CLI prints nothing of its own).

    resolve            the options settled: --vars parsed, county code, reference date, as-of
    check_settings     salt, raw folder, county code, dbt vars: before anything runs (exit 2)
    -- under the run lock of the data dir (exit 4 when another run has it) --
    prepare_raw        generate the demo county, or take the delivered extract
    check_readable     every table file is delivered and reads to its end (exit 2 names it)
    check_reference    a --reference-date must lie inside the delivered data (exit 2)
    build              dbt build (seeds included) into a new database file, the bi marts through the
                       disclosure control (pcdm.privacy) between its two steps (exit 1 on a failure)
    gate               the data-quality suites on that file (exit 3 when an error check fails)
    export             the Power BI report files (and the stewards' files) into a new folder
    publish            swap the new database file and report folders into place
    report             the offline web report from the published files (pcdm.report; swapped in
                       whole, so a failure leaves the previous one)

A failed or blocked run keeps its build as warehouse.failed.duckdb (see publish.Warehouse) and
leaves the published warehouse and report files byte-identical. SIGINT and SIGTERM are forwarded
to dbt and stop the run (exit 130 / 143); an expected fault (a missing file, a full disk, a
read-only folder) is one message whose first line names the cause, never a traceback (exit 5).
"""

from __future__ import annotations

import csv
import dataclasses
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pcdm import deliveries, exports, pipeline, publish
from pcdm.contract import PROJECT_DIR, load_contract
from pcdm.pipeline import PipelineError, SettingsError

if TYPE_CHECKING:
    from pcdm.generator import CountyConfig
    from pcdm.privacy.warehouse import ProtectionReport
    from pcdm.quality.results import GateResult

EXIT_OK, EXIT_BLOCKED, EXIT_SYSTEM = 0, 3, 5
# the format of the demo county pcdm run generates
GENERATED_FORMAT = "parquet"
# the engines `pcdm run --nightly` builds incrementally on (README "Nightly deliveries")
NIGHTLY_ENGINES = ("duckdb", "postgres")
# vars pcdm run sets itself: a --vars value would be silently overridden
RUN_VARS = {"raw_path", "raw_format", "input", "omop_path", "id_scheme"}
# the OMOP CDM tables a delivery must have (models/staging/omop/_omop__sources.yml: meta.required)
OMOP_REQUIRED = (
    "person",
    "visit_occurrence",
    "condition_occurrence",
    "procedure_occurrence",
    "cdm_source",
)


class GateBlocked(PipelineError):
    exit_code = EXIT_BLOCKED

    def __init__(self, message: str, gate: GateResult):
        super().__init__(message)
        self.gate = gate


@dataclass(frozen=True)
class RunSettings:
    """The options of a run (`pcdm run`'s command line, as values); resolve() settles them."""

    data_dir: Path
    # None: the var county_code, else the code of the demo county (demo.county)
    county_code: str | None = None
    raw_path: Path | None = None  # None: generate the demo county into <data_dir>/raw
    exports_dir: Path | None = None
    work_path: Path | None = None  # dbt's target/ and logs/
    reference_date: date | None = None  # None: the var reference_date, else dbt's default
    # the time source freshness is judged at; None: now, or a demo county's own extract time
    as_of: datetime | None = None
    # more dbt vars: a mapping, or YAML text as --vars gives it
    vars: Mapping[str, object] | str = field(default_factory=dict)
    demo: CountyConfig | None = None  # the demo county generated when nothing is delivered
    progress: bool = True  # the generator's progress bar
    report_dir: Path | None = None  # the offline web report; None: <data_dir>/report
    input: str = "raw"  # or "omop": the OMOP CDM instance in omop_path
    omop_path: Path | None = None  # an OMOP CDM instance (--input omop); raw_path is then optional
    id_scheme: str = "identity_code"  # or "pseudonymous" (docs/raw-contract.md)
    # the dbt target: duckdb, postgres or spark (README "Engines"); a server engine's bi, dq and
    # reference schemas are copied into the run's DuckDB file, which the gate and the exports read
    engine: str = "duckdb"
    # apply raw_path as the next delivery of the data dir's delivery sequence, incrementally on the
    # published warehouse (deliveries.py, README "Nightly deliveries"); full_refresh: rebuild from
    # every delivery kept (and raw_path, when given, as the next one)
    nightly: bool = False
    full_refresh: bool = False

    @property
    def delivered(self) -> bool:
        return self.raw_path is not None or self.omop_path is not None or self.nightly

    @property
    def exports_folder(self) -> Path:
        return self.exports_dir or self.data_dir / "powerbi"

    @property
    def report_folder(self) -> Path:
        return self.report_dir or self.data_dir / "report"


@dataclass
class RunOutcome:
    """What a run did: its exit code (module docstring), the step that failed and why, where it
    published, the gate's result and the disclosure control's figures."""

    exit_code: int = EXIT_OK
    step: str = ""  # the step running, or the last one run (on a failure: the failing step)
    cause: str | None = None  # the failure's message, its first line naming the cause
    warehouse: Path | None = None  # the published warehouse
    failed_build: Path | None = None  # the failed or blocked build, kept for the stewards
    exports: Path | None = None  # the published Power BI report files
    exported: dict[str, int] = field(default_factory=dict)  # marts written per age-band folder
    report: Path | None = None  # index.html of the offline report
    gate: GateResult | None = None
    protection: ProtectionReport | None = None  # the cells the disclosure control withheld

    @property
    def published(self) -> bool:
        return self.warehouse is not None

    @property
    def failed_step(self) -> str | None:
        return None if self.exit_code == EXIT_OK else self.step

    @property
    def gate_summary(self) -> str | None:
        return None if self.gate is None else self.gate.summary()


def say(text: str = "") -> None:
    print(text, flush=True)


def fail(text: str) -> None:
    print(f"pcdm run: {text}", file=sys.stderr, flush=True)


# --- the steps ------------------------------------------------------------------------------------


def county_codes(project_dir: Path = PROJECT_DIR) -> set[str]:
    """The wellbeing services county codes of seeds/municipalities.csv."""
    with open(project_dir / "seeds" / "municipalities.csv", encoding="utf-8") as handle:
        return {row["county_code"] for row in csv.DictReader(handle)}


def parse_vars(text: str | None) -> dict[str, object]:
    """--vars as dbt takes it: a YAML (or JSON) mapping."""
    if not text:
        return {}
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SettingsError(f"--vars is not a YAML mapping: {_first_line(error)}") from None
    if not isinstance(values, dict):
        raise SettingsError(f"--vars must be a mapping such as '{{name: value}}', not {text!r}")
    return values


def parse_date(value: object, name: str) -> date | None:
    """A date given as a YAML date or ISO text (None stays None)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SettingsError(f"{name} is not a date YYYY-MM-DD: {value!r}") from None


def resolve(settings: RunSettings) -> RunSettings:
    """The options settled before anything runs: --vars parsed (a county_code or reference_date
    among them checked like their options), absolute paths, the demo county, the as-of time."""
    from pcdm.generator import CountyConfig

    extra_vars = (
        parse_vars(settings.vars) if isinstance(settings.vars, str) else dict(settings.vars)
    )
    county_code = settings.county_code or extra_vars.pop("county_code", None)
    reference_date = settings.reference_date or parse_date(
        extra_vars.pop("reference_date", None), "the var reference_date"
    )
    if (settings.input == "omop") != (settings.omop_path is not None):
        raise SettingsError(
            "--input omop needs --omop-path (the folder of the OMOP CDM tables), and --omop-path "
            "needs --input omop"
        )
    demo = settings.demo or CountyConfig()

    def absolute(path: Path | None) -> Path | None:
        return None if path is None else path.resolve()

    resolved = dataclasses.replace(
        settings,
        data_dir=settings.data_dir.resolve(),
        raw_path=absolute(settings.raw_path),
        omop_path=absolute(settings.omop_path),
        exports_dir=absolute(settings.exports_dir),
        work_path=absolute(settings.work_path),
        report_dir=absolute(settings.report_dir),
        county_code=str(county_code or demo.county_code),
        reference_date=reference_date,
        vars=extra_vars,
        demo=demo,
    )
    # freshness is judged now, unless told otherwise or the delivery is a demo generated just now
    as_of = settings.as_of or (None if resolved.delivered else demo.extract_at)
    return dataclasses.replace(resolved, as_of=as_of)


def generate_county(config: CountyConfig, out: Path, fmt: str = "parquet", progress: bool = True):
    """Write a synthetic county (pcdm.generator) and say what was written."""
    from pcdm.generator import generate

    started = time.perf_counter()
    result = generate(config, out, fmt=fmt, progress=progress)
    seconds = time.perf_counter() - started
    rows = sum(result.row_counts.values())
    say(
        f"Generated {result.residents:,} residents of {config.county}: {rows:,} raw rows in "
        f"{len(result.row_counts)} tables ({result.defect_rows:,} injected bad rows) "
        f"in {seconds:.1f} s -> {out}"
    )
    return result


def check_settings(settings: RunSettings) -> None:
    """Before any step: the salt, the raw folder, the county code and the vars."""
    if settings.delivered:
        pipeline.delivered_salt()
        if settings.raw_path is not None and not settings.raw_path.is_dir():
            raise SettingsError(f"raw folder {settings.raw_path} does not exist")
        if settings.omop_path is not None and not settings.omop_path.is_dir():
            raise SettingsError(f"OMOP folder {settings.omop_path} (--omop-path) does not exist")
    elif os.environ.get(pipeline.SALT_VARIABLE):
        pipeline.delivered_salt()  # a salt that is set must be a real one
    codes = county_codes()
    if settings.county_code not in codes:
        raise SettingsError(
            f"unknown county code {settings.county_code!r} (--county-code): the wellbeing "
            f"services county codes of seeds/municipalities.csv are {', '.join(sorted(codes))}"
        )
    if settings.nightly:
        check_nightly_settings(settings)
    elif settings.full_refresh:
        raise SettingsError("--full-refresh rebuilds a delivery sequence: use it with --nightly")
    clashes = RUN_VARS & set(settings.vars)
    if clashes:
        raise SettingsError(
            f"--vars may not set {', '.join(sorted(clashes))}: use --raw-path, --input, "
            "--omop-path and --id-scheme (the format is detected from the files)"
        )


def check_nightly_settings(settings: RunSettings) -> None:
    if settings.raw_path is None and not settings.full_refresh:
        raise SettingsError("--nightly needs --raw-path (tonight's delivery), or --full-refresh")
    if settings.omop_path is not None or settings.engine not in NIGHTLY_ENGINES:
        raise SettingsError(
            "--nightly works on the raw contract on DuckDB and PostgreSQL only (not with --input "
            f'omop, nor on {settings.engine}): README "Nightly deliveries"'
        )


def prepare_nightly(
    settings: RunSettings, warehouse: publish.Warehouse, store: deliveries.Store
) -> tuple[dict[str, object], deliveries.Delivery | None] | None:
    """Tonight's delivery into the store, and the build's vars (None: applied already). The build
    file is the published warehouse's copy for an incremental night, else a fresh one."""
    store.recover(deliveries.published_delivery_ids(warehouse.published))
    kept = store.deliveries()
    if warehouse.published.exists() and not kept and not settings.full_refresh:
        raise SettingsError(
            f"{warehouse.published} was not built from a delivery sequence (no deliveries kept in "
            f"{store.root}): start one with --nightly --full-refresh --raw-path <a full extract>"
        )
    incremental = warehouse.published.exists() and bool(kept) and not settings.full_refresh
    if incremental and settings.engine == "postgres":
        incremental = postgres_in_step([d.path for d in kept])
    new = None
    if settings.raw_path is not None:
        raw_format = pipeline.detect_raw_format(settings.raw_path)
        check_readable(settings.raw_path, raw_format)
        digest = deliveries.content_hash(settings.raw_path, raw_format)
        known = store.find(digest)
        if known is not None and not settings.full_refresh:
            say(
                f"Delivery {settings.raw_path} was applied already, as {known.delivery_id} at "
                f"{known.applied_at} UTC: nothing to do, nothing was changed."
            )
            return None
        if known is None:
            try:
                new = store.add(settings.raw_path, raw_format, digest)
            except ValueError as error:
                raise SettingsError(f"cannot apply the delivery: {error}") from None
    if not store.deliveries():
        raise SettingsError(f"--full-refresh: no deliveries kept in {store.root}")
    values: dict[str, object] = {"deliveries_applied": store.dbt_vars()}
    if incremental:
        import shutil

        shutil.copyfile(warehouse.published, warehouse.building)
        values["new_delivery"] = str(new.path)
    how = "incrementally on the published warehouse" if incremental else "in full"
    if new is not None:
        say(f"Delivery {settings.raw_path} kept as {new.path}; building {how}")
    else:
        say(f"Rebuilding from the {len(store.deliveries())} deliveries kept in {store.root}")
    return values, new


def postgres_in_step(published: list[Path]) -> bool:
    """Whether PostgreSQL's raw tables hold exactly the published deliveries (their folders in the
    store), built and published (load.nightly_state): else a night there is built in full, from
    every delivery kept."""
    from pcdm import load

    state = load.nightly_state()
    if state is not None and state.published and state.folders == [str(p) for p in published]:
        return True
    held = "nothing known" if state is None else ", ".join(state.folders) or "none"
    say(
        f"PostgreSQL's raw tables hold other deliveries ({held}) than the published warehouse, "
        "or their last build was not published: this night is built in full"
    )
    return False


def prepare_raw(settings: RunSettings) -> Path | None:
    """The raw folder to build: the delivered extract, or the demo county generated now (None: an
    OMOP instance delivered without raw contract tables)."""
    if settings.delivered:
        return settings.raw_path
    raw_path = demo_raw_path(settings)
    generate_county(settings.demo, raw_path, GENERATED_FORMAT, progress=settings.progress)
    return raw_path


def demo_raw_path(settings: RunSettings) -> Path:
    """Where pcdm run generates the demo county."""
    return settings.data_dir / "raw"


def _reader(raw_path: Path, table: str, raw_format: str) -> str:
    """The DuckDB table function that reads a raw table file, as the dbt sources do."""
    path = str(raw_path / f"{table}.{raw_format}").replace("'", "''")
    if raw_format == "csv":
        return f"read_csv('{path}', header = true, all_varchar = true)"
    return f"read_parquet('{path}')"


def omop_files(omop_path: Path) -> dict[str, Path]:
    """The CDM table files of an OMOP folder by table name (file names in any case, .csv or
    .parquet, as the dbt mapping reads them: macros/staging/input_relations.sql)."""
    files = {}
    for path in sorted(omop_path.iterdir()):
        stem, _, ext = path.name.lower().rpartition(".")
        if ext in ("csv", "parquet") and path.is_file():
            files.setdefault(stem, path)
    return files


def _file_reader(path: Path) -> str:
    text = str(path).replace("'", "''")
    if path.suffix.lower() == ".csv":
        return f"read_csv('{text}', header = true, all_varchar = true)"
    return f"read_parquet('{text}')"


def check_omop_readable(settings: RunSettings, raw_format: str) -> None:
    """The required CDM tables are delivered, every CDM and raw table file reads to its end, and a
    --reference-date lies between the first visit and the extract date."""
    import duckdb

    files = omop_files(settings.omop_path)
    missing = [name for name in OMOP_REQUIRED if name not in files]
    if missing:
        raise SettingsError(
            f"OMOP input: required CDM table(s) missing in {settings.omop_path}: "
            f"{', '.join(missing)} (a file <table>.csv or .parquet, any case)"
        )
    raw = settings.raw_path
    raw_files = [] if raw is None else [raw / f"{t}.{raw_format}" for t in load_contract()]
    with duckdb.connect() as con:
        for path in [*files.values(), *(p for p in raw_files if p.is_file())]:
            try:
                con.sql(f"select count(*) from {_file_reader(path)}").fetchall()
            except duckdb.Error as error:
                raise SettingsError(f"{path} cannot be read: {_reading_error(error)}") from None
        if settings.reference_date is None:
            return
        first, last = con.sql(
            "select (select min(try_cast(visit_start_date as date)) from "
            f"{_file_reader(files['visit_occurrence'])}), (select max(try_cast("
            f"source_release_date as date)) from {_file_reader(files['cdm_source'])})"
        ).fetchall()[0]
    if first is None or last is None or not first <= settings.reference_date <= last:
        raise SettingsError(
            f"reference date {settings.reference_date} (--reference-date) is outside the delivered "
            f"data: visits from {first}, extract (cdm_source.source_release_date) {last}"
        )


def check_readable(raw_path: Path, raw_format: str) -> None:
    """Every table file of the contract is delivered and reads to its end (not a CSV file in
    another encoding than UTF-8, nor a truncated Parquet file); the error names the files. A
    missing column is left to dbt's raw contract check (macros/staging/check_raw_contract.sql)."""
    import duckdb

    missing = [
        f"{table}.{raw_format}"
        for table in load_contract()
        if not (raw_path / f"{table}.{raw_format}").is_file()
    ]
    if missing:
        raise SettingsError(
            f"Raw contract: missing table file(s) in {raw_path}: {', '.join(missing)}. Every table "
            "of the raw contract must be delivered."
        )
    with duckdb.connect() as con:
        for table in load_contract():
            try:
                con.sql(f"select count(*) from {_reader(raw_path, table, raw_format)}").fetchall()
            except duckdb.Error as error:
                raise SettingsError(
                    f"raw table {table} ({raw_path / f'{table}.{raw_format}'}) cannot be read: "
                    f"{_reading_error(error)}"
                ) from None


def check_reference(settings: RunSettings, raw_path: Path, raw_format: str) -> None:
    """A --reference-date must lie between the first health contact and the latest extract of the
    population register: outside, every window would be empty or in the future."""
    if settings.reference_date is None:
        return
    import duckdb

    def read(table: str) -> str:
        return _reader(raw_path, table, raw_format)

    try:
        with duckdb.connect() as con:
            first, last = con.sql(
                "select (select min(try_cast(contact_start as date)) from "
                f"{read('health_contact')}), (select max(try_cast(loaded_at as date)) from "
                f"{read('population_person')})"
            ).fetchall()[0]
    except duckdb.Error as error:
        raise SettingsError(
            f"cannot read the raw delivery to check --reference-date: {_first_line(error)}"
        ) from None
    if first is None or last is None or not first <= settings.reference_date <= last:
        raise SettingsError(
            f"reference date {settings.reference_date} (--reference-date) is outside the delivered "
            f"data: health contacts from {first}, latest population extract {last}"
        )


def dbt_target(
    settings: RunSettings,
    raw_path: Path | None,
    database_path: Path,
    raw_format: str | None = None,
    nightly_vars: dict[str, object] | None = None,
) -> pipeline.DbtTarget:
    values: dict[str, object] = {**settings.vars, **(nightly_vars or {})}
    values["county_code"] = settings.county_code
    if settings.omop_path is not None:
        values["input"] = "omop"
        values["omop_path"] = str(settings.omop_path)
    values["id_scheme"] = settings.id_scheme
    if settings.reference_date is not None:
        values["reference_date"] = settings.reference_date.isoformat()
    if settings.as_of is not None:
        values["freshness_as_of"] = settings.as_of.isoformat(sep=" ")
    return pipeline.DbtTarget(
        raw_path=raw_path,
        database_path=database_path,
        raw_format=raw_format
        or ("parquet" if raw_path is None else pipeline.detect_raw_format(raw_path)),
        extra_vars=tuple(values.items()),
        work_path=settings.work_path,
        engine=settings.engine,
    )


def build(
    target: pipeline.DbtTarget, session: pipeline.DbtSession | None = None
) -> ProtectionReport:
    """dbt build (seeds, models and data tests, no unit tests) on the new database file, with
    the disclosure control of the bi marts between its two steps (pipeline.build; on DuckDB in
    the session given, else in one of its own)."""
    started = time.perf_counter()
    if target.engine == "postgres":
        from pcdm import load

        tonight = dict(target.extra_vars).get("new_delivery")  # a night: appended
        folders = [Path(tonight)] if tonight else deliveries.folders(target.raw_path)
        loaded = load.load_postgres(folders, target.raw_format, append=tonight is not None)
        rows = sum(t.rows for t in loaded)
        say(f"Loaded {rows:,} raw rows of {len(folders)} folder(s) into PostgreSQL schema raw")
    protection = pipeline.build(target, unit_tests=False, session=session)
    say(f"\ndbt seed + build finished in {time.perf_counter() - started:.0f} s\n")
    if target.engine == "duckdb":
        say(pipeline.summary(target.database_path))
    else:
        from pcdm import engines

        copied = engines.mirror(target.engine, target.database_path)
        say(f"Copied {copied} tables of {', '.join(engines.MIRRORED_SCHEMAS)} from {target.engine}")
    return protection


def record_failed_build(target: pipeline.DbtTarget) -> None:
    """The dbt test results of a failed build (recorded by its on-run-end hook on the engine), into
    its database (for dq.dq_results)."""
    from pcdm import dbt_results
    from pcdm.quality import gate

    try:
        nodes = dbt_results.read(target.engine, target.database_path, target.run_id)
    except Exception as error:  # the engine cannot be read: the build's own error is the cause
        fail(f"  the dbt test results of the failed build were not recorded: {_first_line(error)}")
        return
    failed = gate.record_failed_build(target.database_path, nodes)
    for test in failed or []:
        fail(f"  dbt test {test.status.upper()} {test.test}")


def run_gate(settings: RunSettings, target: pipeline.DbtTarget) -> GateResult:
    """The data-quality suites on the new database; GateBlocked names the failing checks."""
    from pcdm import dbt_results
    from pcdm.quality import gate

    started = time.perf_counter()
    result = gate.run_gate(
        target.database_path,
        settings.data_dir / "data_docs",
        # on a server engine, from the copy of its dq schema in the gate's DuckDB file
        dbt_nodes=dbt_results.read("duckdb", target.database_path, target.run_id),
        min_cell_size=int(pipeline.dbt_var("min_cell_size", target)),
        engine=target.engine,
    )
    say(f"\n{result.summary()}\n(gate took {time.perf_counter() - started:.0f} s)")
    if not result.passed:
        first, *others = [_check_text(r) for r in result.blocking]
        lines = [f"BLOCKED by the data-quality gate: {first}", *[f"  also {t}" for t in others]]
        raise GateBlocked("\n".join(lines), result)
    return result


def _check_text(result) -> str:
    """A failing check in one line: its name, metric table and column, value, bound, rows."""
    from pcdm.quality.disclosure import DISCLOSURE_CHECK
    from pcdm.quality.results import MAX_LISTED_ROWS, format_value
    from pcdm.quality.suites import load_checks

    if result.check == DISCLOSURE_CHECK:
        return f"{result.check}: {result.details_text(MAX_LISTED_ROWS)}"
    check = next(c for c in load_checks() if c.name == result.check)
    text = (
        f"{result.check} on dq.{check.table}.{check.column}: observed "
        f"{format_value(result.observed_value)}, expected {result.threshold}"
    )
    return text + (f" ({result.details_text(MAX_LISTED_ROWS)})" if result.details else "")


def export(settings: RunSettings, target: pipeline.DbtTarget) -> dict[str, int]:
    """The Power BI report files and the stewards' files, into a new folder beside the published
    ones."""
    incoming = settings.exports_folder / exports.INCOMING
    written = exports.write_bi(target.database_path, incoming)
    exports.export_steward_files(target.database_path, incoming)
    return written


def publish_run(settings: RunSettings, warehouse: publish.Warehouse, written: dict[str, int]):
    """Swap the new database and report folders into place (signals wait for the renames)."""
    with pipeline.signals_deferred():
        warehouse.publish()
        exports.swap_in(settings.exports_folder / exports.INCOMING, settings.exports_folder)
    say(f"Warehouse: {warehouse.published}")
    say(
        f"Power BI report files: {settings.exports_folder} "
        + ", ".join(f"{folder}/ {n} marts" for folder, n in written.items())
        + ", dq/ and reference/ for the stewards' page"
    )


def write_report(
    target: pipeline.DbtTarget,
    exports_dir: Path,
    report_dir: Path,
    dbt_docs: bool = True,
    parsed: Path | None = None,
    session: pipeline.DbtSession | None = None,
) -> Path | None:
    """The offline web report (with the dbt docs, generated in a temporary folder on `parsed`, the
    build's saved parse of the project, in the build's dbt session when given, or else on a fresh
    parse): its index.html, or None when it could not be written (the message says why)."""
    import tempfile

    from pcdm import report

    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="pcdm-dbt-docs-") as work:
            docs = None
            if dbt_docs:
                salt = pipeline.ensure_salt()
                docs = report.build_dbt_docs(target, Path(work), salt, parsed, session)
            index = report.build_report(exports_dir, report_dir, dbt_docs=docs)
    except (report.ReportError, PipelineError) as error:
        fail(f"offline report NOT written: {error}")
        return None
    say(
        f"Offline report ({time.perf_counter() - started:.0f} s): {index}\n"
        "  open it in a browser from disk (file://): no server and no network needed"
    )
    return index


# --- the sequence ---------------------------------------------------------------------------------


def run_county(settings: RunSettings) -> RunOutcome:
    """The steps in order; what they did (the exit codes: this module's docstring)."""
    outcome = RunOutcome(step="resolve")
    warehouse = publish.Warehouse(settings.data_dir.resolve())
    kept: list[Path] = []  # the failed build, once kept
    try:
        settings = resolve(settings)
        outcome.step = "check_settings"
        check_settings(settings)
        outcome.step = "lock"
        with publish.run_lock(settings.data_dir), pipeline.stopping_on_signals():
            try:
                _run_locked(settings, warehouse, outcome)
                return outcome
            except BaseException:
                kept += _clean_up(settings, warehouse)
                raise
    except (PipelineError, pipeline.RunStopped) as error:
        fail(str(error))
        if not isinstance(error, SettingsError | publish.RunLocked):
            fail(_kept_text(settings, warehouse, kept))
        if isinstance(error, GateBlocked):
            outcome.gate = error.gate
        return _failed(outcome, error.exit_code, str(error), kept)
    except OSError as error:
        cause = f"cannot {_os_action(error)}: {error.strerror or error} ({error.filename or ''})"
        fail(cause)
        fail(_kept_text(settings, warehouse, kept))
        return _failed(outcome, EXIT_SYSTEM, cause, kept)
    except Exception as error:  # a database error of DuckDB (e.g. out of disk space)
        import duckdb

        if not isinstance(error, duckdb.Error):
            raise
        cause = f"database error: {_first_line(error)}"
        fail(cause)
        fail(_kept_text(settings, warehouse, kept))
        return _failed(outcome, EXIT_SYSTEM, cause, kept)


def _failed(outcome: RunOutcome, exit_code: int, cause: str, kept: list[Path]) -> RunOutcome:
    outcome.exit_code, outcome.cause = exit_code, cause
    outcome.failed_build = kept[0] if kept else None
    return outcome


def _run_locked(settings: RunSettings, warehouse: publish.Warehouse, outcome: RunOutcome) -> None:
    exports.recover(settings.exports_folder)  # the leftovers of a run that was killed hard
    if settings.nightly:
        _run_nightly(settings, warehouse, outcome)
        return
    outcome.step = "prepare_raw"
    if settings.delivered or settings.engine != "duckdb":
        target = dbt_target(settings, prepare_raw(settings), warehouse.start())
        _build_and_publish(settings, warehouse, target, outcome)
        return
    # the demo county: dbt parses the project while the county is generated (two cores)
    target = dbt_target(
        settings, demo_raw_path(settings), warehouse.start(), raw_format=GENERATED_FORMAT
    )
    with pipeline.DbtSession() as session:
        session.parse_ahead(target)
        prepare_raw(settings)
        _build_and_publish(settings, warehouse, target, outcome, session)


def _run_nightly(settings: RunSettings, warehouse: publish.Warehouse, outcome: RunOutcome) -> None:
    store = deliveries.Store(settings.data_dir)
    database = warehouse.start()
    outcome.step = "prepare_nightly"
    prepared = prepare_nightly(settings, warehouse, store)
    if prepared is None:
        return
    values, new = prepared
    raw_format = store.deliveries()[-1].raw_format
    target = dbt_target(settings, store.every_delivery, database, raw_format, values)
    try:
        _build_and_publish(settings, warehouse, target, outcome)
    except BaseException:
        published = deliveries.published_delivery_ids(warehouse.published)
        if new is not None and new.delivery_id not in published:
            store.remove(new)  # the last good warehouse does not hold it
        raise
    record_published_night(settings, store, new)


def record_published_night(
    settings: RunSettings, store: deliveries.Store, new: deliveries.Delivery | None
) -> None:
    """After a night's warehouse is published: the store marks tonight's delivery applied, and a
    PostgreSQL server records that the build of the deliveries its raw tables hold was published
    (load.mark_published)."""
    if new is not None:
        store.mark_applied(new)
    if settings.engine == "postgres":
        from pcdm import load

        load.mark_published([d.path for d in store.deliveries()])


def _build_and_publish(
    settings: RunSettings,
    warehouse: publish.Warehouse,
    target: pipeline.DbtTarget,
    outcome: RunOutcome,
    session: pipeline.DbtSession | None = None,
) -> None:
    """Build, gate, export, publish and report. On DuckDB every dbt command of the run (both
    build steps and the report's docs) runs in one dbt session: the one given (which may have
    parsed ahead) or one of its own."""
    if session is None and target.engine == "duckdb":
        with pipeline.DbtSession() as session:
            _build_and_publish(settings, warehouse, target, outcome, session)
        return
    if settings.omop_path is not None:
        outcome.step = "check_omop_readable"
        check_omop_readable(settings, target.raw_format)
    elif not settings.nightly:  # a night's folder was checked by prepare_nightly
        outcome.step = "check_readable"
        check_readable(target.raw_path, target.raw_format)
        outcome.step = "check_reference"
        check_reference(settings, target.raw_path, target.raw_format)
    say_input(settings)
    from pcdm.quality import gate

    gate.preload_libraries()  # while dbt builds
    outcome.step = "build"
    try:
        outcome.protection = build(target, session)
    except PipelineError:
        record_failed_build(target)
        raise
    outcome.step = "gate"
    outcome.gate = run_gate(settings, target)
    outcome.step = "export"
    outcome.exported = export(settings, target)
    outcome.step = "publish"
    publish_run(settings, warehouse, outcome.exported)
    outcome.warehouse, outcome.exports = warehouse.published, settings.exports_folder
    outcome.step = "report"
    published = dataclasses.replace(target, database_path=warehouse.published)
    # the dbt docs on the project as this run's build parsed it (no second parse)
    parsed = target.dbt_target_path() / "partial_parse.msgpack"
    outcome.report = write_report(
        published, settings.exports_folder, settings.report_folder, parsed=parsed, session=session
    )
    if outcome.report is None:
        outcome.exit_code, outcome.cause = 1, "the offline report was not written"


def say_input(settings: RunSettings) -> None:
    """What the run reads and how it identifies persons (docs/omop-mapping.md,
    docs/raw-contract.md)."""
    if settings.omop_path is not None:
        raw = settings.raw_path or "none delivered"
        say(f"Input: OMOP CDM {settings.omop_path}; raw contract tables: {raw}")
    if settings.id_scheme == "pseudonymous":
        say(
            "Id scheme pseudonymous: identity-code validation skipped (the delivered person ids "
            "are pseudonyms; each person key is their salted hash).\n"
            "The crm layer is not built: primary use for the CRM needs identity codes, and this "
            "delivery has none."
        )


def _clean_up(settings: RunSettings, warehouse: publish.Warehouse) -> list[Path]:
    """After a failure: keep the failed build for the stewards (returned, when there is one) and
    drop the half-written report files."""
    import shutil

    shutil.rmtree(settings.exports_folder / exports.INCOMING, ignore_errors=True)
    try:
        kept = warehouse.keep_failed()
    except OSError:
        warehouse.discard()
        return []
    return [kept] if kept is not None else []


def _kept_text(settings: RunSettings, warehouse: publish.Warehouse, kept: list[Path]) -> str:
    published = warehouse.published if warehouse.published.exists() else "none yet"
    text = (
        f"Nothing was published: the last good warehouse ({published}) and Power BI report files "
        f"({settings.exports_folder}) are left as they were."
    )
    if kept:
        text += f" This run's build, for the data stewards: {kept[0]} (dq schema)."
    return text


def _os_action(error: OSError) -> str:
    import errno

    return {
        errno.ENOSPC: "write (the disk is full)",
        errno.EACCES: "write (permission denied)",
        errno.EROFS: "write (read-only file system)",
        errno.ENOENT: "find a file",
    }.get(error.errno, "read or write a file")


def _reading_error(error: BaseException) -> str:
    """DuckDB's reading error in one line, without the raw line it quotes (it may hold an identity
    code)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(line for line in lines if not line.startswith("Original Line"))[:400]


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
