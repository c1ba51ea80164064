"""dbt for the main job: `dbt build` (seeds, models, tests) on a database file -> a summary.

dbt runs as a subprocess of the venv's own `dbt`, in the project folder, with the profile in
`profiles/` and the DuckDB path in PCDM_DUCKDB_PATH; on DuckDB both steps of a build run in one
dbt process (DbtSession, pcdm.dbt_worker), which parses the project once. Its output is streamed
(or captured) and, when it fails, the failing nodes and their messages (as dbt's on-run-end hook
recorded them: pcdm.dbt_results) become the first lines of the error. Inside
`stopping_on_signals()`, SIGINT and SIGTERM are forwarded to the running dbt and the run stops with
RunStopped. Each step is a function tests can call.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pcdm import dbt_results
from pcdm.contract import PROJECT_DIR

if TYPE_CHECKING:
    import duckdb

    from pcdm.privacy.warehouse import ProtectionReport

SALT_VARIABLE = "PCDM_PSEUDONYM_SALT"
MIN_SALT_LENGTH = 16


class PipelineError(RuntimeError):
    """A step failed; the message says which and why (its first line names the cause)."""

    exit_code = 1


class SettingsError(PipelineError):
    """The run's settings or inputs are wrong (a missing salt, folder, unknown county code, ...)."""

    exit_code = 2


class RunStopped(BaseException):
    """SIGINT or SIGTERM stopped the run (exit code 128 + the signal, as a shell reports it).
    A BaseException, like KeyboardInterrupt, so that no library's `except Exception` swallows it."""

    def __init__(self, signum: int, step: str = ""):
        name = signal.Signals(signum).name
        super().__init__(f"stopped by {name}" + (f" during {step}" if step else ""))
        self.exit_code = 128 + signum


@dataclass(frozen=True)
class DbtTarget:
    """Where dbt reads raw data from and writes the database to."""

    raw_path: Path | None  # None: no raw contract table delivered (an OMOP input on its own)
    database_path: Path
    raw_format: str = "parquet"
    # More dbt vars as (name, value) pairs. A value is any JSON value: a string, a number, a boolean
    # or a list, e.g. ("heavy_user_min_social_services", 2) or
    # ("key_customer_segments", ["network", "community"]). Pass booleans and lists as such: in the
    # models' Jinja the string "false" is true and a string is not a list.
    extra_vars: tuple[tuple[str, object], ...] = ()
    # dbt's target/ and logs/ folders; None: the project's own (tests use a temporary folder).
    work_path: Path | None = None
    # the dbt target of profiles/profiles.yml: duckdb (database_path), postgres or spark (their
    # connection settings from the environment, README "Engines")
    engine: str = field(default_factory=lambda: os.environ.get("PCDM_TARGET", "duckdb"))
    # the id the on-run-end hook records the node results of every dbt command on this target under
    # (dq.dq_dbt_results, pcdm.dbt_results): both steps of a build, and nothing of another run
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def dbt_target_path(self, project_dir: Path = PROJECT_DIR) -> Path:
        """dbt's target/ folder of the commands on this target (their manifests and the parsed
        project, partial_parse.msgpack)."""
        return (self.work_path or project_dir) / "target"

    def vars_json(self) -> str:
        """The vars as the JSON object of `dbt --vars` (strings stay strings, numbers numbers)."""
        raw_path = None if self.raw_path is None else str(self.raw_path)
        values: dict[str, object] = {"raw_path": raw_path, "raw_format": self.raw_format}
        values.update(dict(self.extra_vars))
        return json.dumps(values)


def delivered_salt() -> str:
    """The pseudonym salt of a delivered extract: PCDM_PSEUDONYM_SALT, required, 16+ characters."""
    salt = os.environ.get(SALT_VARIABLE, "")
    if len(salt.strip()) < MIN_SALT_LENGTH:
        length = len(salt.strip())
        state = f"is too short ({length} characters)" if length else "is not set"
        raise SettingsError(
            f"{SALT_VARIABLE} {state}: the pseudonym salt must have at least {MIN_SALT_LENGTH} "
            "characters; a delivered extract (--raw-path) needs the county's own, from its key "
            "vault, the same every run (or every person_key changes). Nothing was run."
        )
    return salt


def ensure_salt(project_dir: Path = PROJECT_DIR) -> str:
    """The pseudonym salt: PCDM_PSEUDONYM_SALT, or for the demo a random one kept in .secrets/."""
    salt = os.environ.get(SALT_VARIABLE, "")
    if salt:
        return delivered_salt()
    salt_file = project_dir / ".secrets" / "pseudonym_salt"
    if not salt_file.exists():
        salt_file.parent.mkdir(mode=0o700, exist_ok=True)
        salt_file.write_text(secrets.token_hex(32), encoding="utf-8")
        salt_file.chmod(0o600)
        print(
            f"Created a random pseudonym salt in {salt_file} (set {SALT_VARIABLE} in production)."
        )
    return salt_file.read_text(encoding="utf-8").strip()


def detect_raw_format(raw_path: Path) -> str:
    """'parquet' or 'csv', by the files in the raw folder."""
    if any(raw_path.glob("*.parquet")):
        return "parquet"
    if any(raw_path.glob("*.csv")):
        return "csv"
    raise PipelineError(f"No raw tables (*.parquet or *.csv) found in {raw_path}")


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_command(
    args: list[str],
    target: DbtTarget,
    *,
    project_dir: Path = PROJECT_DIR,
    command_id: str | None = None,
    program: list[str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt command on the target (command_id: the id its
    node results are recorded under, default a new one; program: what runs it, default dbt)."""
    target.database_path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        SALT_VARIABLE: ensure_salt(project_dir),
        "PCDM_DUCKDB_PATH": str(target.database_path),
        "PCDM_TARGET": target.engine,
        "DBT_PROFILES_DIR": str(project_dir / "profiles"),
        # start-up: no require-dbt-version check, and no usage events (nothing leaves the machine)
        "DBT_VERSION_CHECK": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        dbt_results.RUN_ID_VARIABLE: target.run_id,
        dbt_results.COMMAND_ID_VARIABLE: command_id or uuid.uuid4().hex,
    }
    command = [*(program or [dbt_executable()]), *args, "--vars", target.vars_json()]
    if target.work_path is not None:
        command += [
            "--target-path",
            str(target.dbt_target_path(project_dir)),
            "--log-path",
            str(target.work_path / "logs"),
        ]
    return command, env


class _Signals:
    """What stopping_on_signals() shares with run_dbt: the running dbt and the signal received."""

    child: subprocess.Popen | None = None
    received: int | None = None
    deferred: bool = False


@contextlib.contextmanager
def stopping_on_signals():
    """Inside: SIGINT and SIGTERM are forwarded to the running dbt, which stops (its run_dbt then
    raises RunStopped); between dbt commands they raise RunStopped at once. Main thread only.
    A library that catches the RunStopped raised inside it and raises its own error instead (a
    DuckDB query here says "RuntimeError: Query interrupted") is RunStopped too: the signal came
    first, so it is the cause."""

    def handler(signum, frame):
        _Signals.received = signum
        child = _Signals.child
        if _Signals.deferred:
            return
        if child is not None and child.poll() is None:
            child.send_signal(signum)
        else:
            raise RunStopped(signum)

    signums = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    except Exception:
        if _Signals.received is None:
            raise
        raise RunStopped(_Signals.received) from None
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
        _Signals.received = None


@contextlib.contextmanager
def signals_deferred():
    """Inside: a SIGINT or SIGTERM is only noted, for the few renames that publish a run, which
    must not stop half-way (the run then ends published)."""
    _Signals.deferred = True
    try:
        yield
    finally:
        _Signals.deferred = False


TIME_PREFIX = re.compile(r"^(\x1b\[[0-9;]*m)*\d\d:\d\d:\d\d(\.\d+)?\s+")
COLOUR = re.compile(r"\x1b\[[0-9;]*m")
ERROR_START = re.compile(r"(Compilation|Runtime|Parsing|Database|Dependency|Env Var|Catalog) Error")
FAILED_STATUSES = ("error", "fail", "runtime error")
MAX_NAMED_FAILURES = 5


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dbt_failures(nodes: list[dbt_results.NodeResult]) -> list[str]:
    """The failing nodes of a dbt command, each as '<resource type> <name>: <message>'."""
    return [
        f"{node.unique_id.partition('.')[0]} {node.name}: {_one_line(node.message or node.status)}"
        for node in nodes
        if node.status in FAILED_STATUSES
    ]


def command_failures(target: DbtTarget, command_id: str) -> list[str]:
    """The failing nodes of one dbt command on the target, as its on-run-end hook recorded them
    (none when dbt stopped before it, e.g. at a compilation error, or the engine cannot be read)."""
    try:
        nodes = dbt_results.read(target.engine, target.database_path, target.run_id)
    except Exception:  # the error message then falls back to dbt's own error block
        return []
    return dbt_failures([node for node in nodes if node.command_id == command_id])


def _error_block(lines: list[str]) -> list[str]:
    """The first error block of dbt's output (e.g. a compilation error of the contract check)."""
    cleaned = [COLOUR.sub("", TIME_PREFIX.sub("", line.rstrip())) for line in lines]
    for i, line in enumerate(cleaned):
        if ERROR_START.search(line) or line.startswith("Encountered an error"):
            block = [
                text.strip()
                for text in cleaned[i : i + 12]
                if text.strip() and not text.strip().startswith("Original Line")  # raw values
            ]
            return [_one_line(" ".join(block[:6]))]
    return [_one_line(line) for line in cleaned if line.strip()][-3:]


def failure_message(args: list[str], code: int, failures: list[str], lines: list[str]) -> str:
    command = f"`dbt {' '.join(args)}`"
    if failures:
        shown = failures[:MAX_NAMED_FAILURES]
        more = len(failures) - len(shown)
        return "\n".join(
            [f"{command} failed (exit {code}): {shown[0]}", *[f"  also {f}" for f in shown[1:]]]
            + ([f"  and {more} more failing nodes (see dq.dq_dbt_results)"] if more else [])
        )
    block = _error_block(lines)
    return f"{command} failed (exit {code}): " + "\n  ".join(block or ["no error message"])


def run_dbt(
    args: list[str],
    target: DbtTarget,
    *,
    project_dir: Path = PROJECT_DIR,
    quiet: bool = False,
    program: list[str] | None = None,
    session: DbtSession | None = None,
    docs_on: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command on the target, its output streamed to stdout (or, quiet, captured);
    program: what runs it (default the dbt executable); session: the dbt process of the target's
    build to run it in (default a process of its own); docs_on, with a session: the command is
    the offline report's dbt docs on this saved parse (DbtSession.docs), args their flags.

    Raises PipelineError whose first line names the failing dbt node and its message (or dbt's
    error, e.g. a raw contract violation), and RunStopped when a signal stopped it."""
    command_id = uuid.uuid4().hex
    command, env = dbt_command(
        args, target, project_dir=project_dir, command_id=command_id, program=program
    )
    if session is not None and docs_on is not None:
        returncode, lines, errors = session.docs(command[1:], docs_on, env, quiet)
    elif session is not None:
        dbt_args = command[1:]
        returncode, lines, errors = session.run(dbt_args, dbt_args[len(args) :], env, quiet)
    else:
        returncode, lines, errors = _run_process(command, env, project_dir, quiet)
    if _Signals.received is not None:
        raise RunStopped(_Signals.received, f"`dbt {args[0]}`")
    output = "".join(lines)
    if returncode != 0:
        failures = command_failures(target, command_id)
        raise PipelineError(
            failure_message(args, returncode, failures, lines + errors.splitlines())
        )
    return subprocess.CompletedProcess(command, returncode, output, errors)


def _stream(stdout, lines: list[str], quiet: bool, until: str | None = None) -> str | None:
    """Copy dbt's output lines into lines (and, not quiet, to stdout) up to the line that starts
    with `until` (returned) or the end of the output (None)."""
    for line in stdout:
        if until is not None and line.startswith(until):
            return line
        if "nanobind" in line:
            continue
        lines.append(line)
        if not quiet:
            sys.stdout.write(line)
            sys.stdout.flush()
    return None


def _run_process(
    command: list[str], env: dict[str, str], project_dir: Path, quiet: bool
) -> tuple[int, list[str], str]:
    """One dbt command in a process of its own: its exit code, output lines and error output."""
    lines: list[str] = []
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            command,
            cwd=project_dir,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,  # a terminal's Ctrl-C reaches dbt once, forwarded by us
        )
        _Signals.child = process
        try:
            _stream(process.stdout, lines, quiet)
            process.wait()
        finally:
            _Signals.child = None
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr.seek(0)
        errors = "".join(line for line in stderr if "nanobind" not in line)
    return process.returncode, lines, errors


class DbtSession:
    """The dbt commands of one target's build in one dbt process (pcdm.dbt_worker): the project
    is parsed once, for the first command, and later commands start at once (dbt's start-up and
    partial parse cost some 5 s a command). DuckDB only: the worker closes the database file after
    each command, so that the disclosure control and the gate can open it between them; a server
    engine's commands run in processes of their own (on Spark each starts and stops its JVM, whose
    metastore one process holds at a time). Use it as a context manager; a signal is forwarded to
    the worker only while a command runs, as to a dbt process of its own."""

    def __init__(self, project_dir: Path = PROJECT_DIR) -> None:
        self.project_dir = project_dir
        self.process: subprocess.Popen | None = None
        self.stderr = None
        self.parsing = False  # a parse ahead of the first command is under way

    def parse_ahead(self, target: DbtTarget) -> None:
        """Start the worker and let it parse the project now, while this process goes on (the
        demo county is generated meanwhile: the parse reads no raw file). The first command's
        output begins with the parse's; a parse that failed is tried again by that command."""
        args = ["parse"]
        command, env = dbt_command(args, target, project_dir=self.project_dir)
        process = self._start(command[1 + len(args) :], env)  # the flags, as run_dbt's common
        process.stdin.write(json.dumps({"args": None, "env": {}}) + "\n")
        process.stdin.flush()
        self.parsing = True

    def __enter__(self) -> DbtSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self, common: list[str], env: dict[str, str]) -> subprocess.Popen:
        # the worker's error output, read per command; closed by close()
        self.stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pcdm.dbt_worker", *common],
            cwd=self.project_dir,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            start_new_session=True,
        )
        return self.process

    def run(
        self, args: list[str], common: list[str], env: dict[str, str], quiet: bool
    ) -> tuple[int, list[str], str]:
        """One dbt command in the worker (common: its flags that every command of the session
        shares): its exit code, output lines and error output."""
        if self.process is None:
            self._start(common, env)
        elif common != self.process.args[3:]:
            raise ValueError("a dbt session runs the commands of one target, with the same vars")
        return self._request({"args": args}, env, quiet)

    def docs(
        self, flags: list[str], parsed: Path, env: dict[str, str], quiet: bool
    ) -> tuple[int, list[str], str]:
        """The offline report's dbt docs in the worker, where dbt is loaded already
        (pcdm.report.dbt_docs.generate with these dbt flags, on the saved parse `parsed`, or a
        fresh one if it does not load), after the build's commands. As run()."""
        if self.process is None:
            self._start(flags, env)
        return self._request({"args": flags, "docs_on": str(parsed)}, env, quiet)

    def _request(
        self, request: dict[str, object], env: dict[str, str], quiet: bool
    ) -> tuple[int, list[str], str]:
        from pcdm.dbt_worker import DONE

        process = self.process
        changed = {name: value for name, value in env.items() if os.environ.get(name) != value}
        start = self.stderr.seek(0, os.SEEK_END)
        lines: list[str] = []
        _Signals.child = process
        try:
            if self.parsing:  # its outcome: the worker parses again if it failed
                self.parsing = False
                _stream(process.stdout, lines, quiet, until=DONE)
            process.stdin.write(json.dumps({**request, "env": changed}))
            process.stdin.write("\n")
            process.stdin.flush()
            done = _stream(process.stdout, lines, quiet, until=DONE)
        except BrokenPipeError:
            done = None
        finally:
            _Signals.child = None
        if done is None:  # the worker ended: a signal, or it broke
            returncode = process.wait()
            self.process = None
        else:
            returncode = int(done[len(DONE) :])
        self.stderr.seek(start)
        errors = "".join(line for line in self.stderr if "nanobind" not in line)
        return returncode, lines, errors

    def close(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            try:
                process.stdin.close()
                process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None


# dbt unit tests pin the shipped default rules on hand-made inputs: they run in the test command
# (CI), not in a county's production build, where its own rule vars would make them fail by design.
UNIT_TESTS = "test_type:unit"
# A build loads the seeds too, replacing them (dbt_project.yml gives seeds `full_refresh`), so a
# run needs no `dbt seed` of its own: one dbt start-up and parse less (one JVM less on Spark).
PRODUCTION_BUILD = ["build", "--exclude", UNIT_TESTS]
# The bi marts publish the decisions of the disclosure control (pcdm.privacy), which needs the
# true cells built first: dbt builds everything up to the cells, the protection writes its
# decisions, then dbt builds the decisions' model and the bi marts on them (and their tests).
PROTECTED = "int_bi_cell_decisions+"


def dbt_var(name: str, target: DbtTarget, *, project_dir: Path = PROJECT_DIR) -> object:
    """A dbt var as the build sees it: the target's own value, else dbt_project.yml's default."""
    values = dict(target.extra_vars)
    if name in values:
        return values[name]
    import yaml

    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"][name]


def build_models(
    target: DbtTarget,
    *,
    select: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    unit_tests: bool = False,
    project_dir: Path = PROJECT_DIR,
    quiet: bool = False,
    session: DbtSession | None = None,
) -> None:
    """`dbt build` of the models and seeds (with their data tests) on the target's database: all of
    them, or the `select`ed ones, minus `exclude` (dbt selectors); in the session's dbt process
    when one is given."""
    excluded = [*exclude] if unit_tests else [UNIT_TESTS, *exclude]
    args = ["build", *(["--exclude", *excluded] if excluded else [])]
    if select:
        args += ["--select", *select]
    run_dbt(args, target, project_dir=project_dir, quiet=quiet, session=session)


def build(
    target: DbtTarget,
    *,
    unit_tests: bool = True,
    exclude: tuple[str, ...] = (),
    project_dir: Path = PROJECT_DIR,
    quiet: bool = False,
    session: DbtSession | None = None,
) -> ProtectionReport:
    """Build the reference seeds and every model up to the bi cells (with their data tests, and
    the unit tests), protect the bi cells, then build the bi marts on the decisions and run their
    tests; both steps leave out the `exclude`d nodes (dbt selectors). The on-run-end hook records
    both steps' node results under the target's run id (dq.dq_dbt_results), as the gate and the
    stewards read them. On DuckDB both steps run in one dbt process: the session given (which
    may have parsed the project already) or one of their own; elsewhere each in its own."""
    from pcdm import engines
    from pcdm.privacy.warehouse import protect_warehouse

    one_process = target.engine == "duckdb"
    given = session if one_process else None
    with (
        DbtSession(project_dir) if one_process and given is None else contextlib.nullcontext(given)
    ) as session:
        options = {"unit_tests": unit_tests, "project_dir": project_dir, "quiet": quiet}
        build_models(target, exclude=(PROTECTED, *exclude), session=session, **options)
        min_cell_size = int(dbt_var("min_cell_size", target, project_dir=project_dir))
        # on a server engine the protection reads the cells copied into the run's DuckDB file and
        # uploads its decisions (with one connection: on Spark one JVM, stopped before dbt goes on)
        with engines.connected(target.engine):
            if target.engine != "duckdb":
                from pcdm.privacy.family import MARTS

                cells = [spec.cells_model for spec in MARTS]
                engines.copy_tables(target.engine, target.database_path, "intermediate", cells)
                engines.copy_tables(
                    target.engine, target.database_path, "reference", ["service_catalogue"]
                )
            report = protect_warehouse(target.database_path, min_cell_size)
            if target.engine != "duckdb":
                engines.upload(
                    target.engine, target.database_path, "protection", "bi_cell_decisions"
                )
        if not quiet:
            print("\n".join(report.lines()), flush=True)
        build_models(target, select=(PROTECTED,), exclude=exclude, session=session, **options)
        return report


def summary(database_path: Path) -> str:
    """A short text a BI developer or steward can read after a run."""
    import duckdb

    with duckdb.connect(str(database_path), read_only=True) as con:
        persons, in_scope = con.sql(
            "select count(*), count(*) filter (where is_in_scope) from pcdm.dim_person"
        ).fetchall()[0]
        by_domain = con.sql(
            "select domain, count(*), round(sum(cost_eur)) from pcdm.fct_service_event "
            "group by domain order by domain"
        ).fetchall()
        reconciliation = con.sql(
            "select source_table, raw_rows, staged_rows, quarantined_rows, unaccounted_rows "
            "from dq.dq_reconciliation order by source_table"
        ).fetchall()
        reasons = con.sql(
            "select reason_code, count(*) from dq.dq_quarantine "
            "group by reason_code order by 2 desc"
        ).fetchall()
        segmentation = segmentation_figures(con)
    lines = [
        f"Database: {database_path}",
        f"pcdm.dim_person: {persons} persons, {in_scope} in scope",
        "pcdm.fct_service_event by domain (events, cost EUR):",
        *[f"  {domain:<7} {events:>12,} {cost:>16,.0f}" for domain, events, cost in by_domain],
        "dq.dq_reconciliation (raw = staged + quarantined):",
        *[
            f"  {table:<20} raw {raw:>10,}  staged {staged:>10,}  quarantined {q:>7,}"
            + ("" if lost == 0 else f"  UNACCOUNTED {lost}")
            for table, raw, staged, q, lost in reconciliation
        ],
        "dq.dq_quarantine by reason: "
        + (", ".join(f"{reason} {n}" for reason, n in reasons) or "nothing quarantined"),
    ]
    if segmentation is not None:
        lines += _segmentation_lines(segmentation)
    return "\n".join(lines)


SEGMENTS = ("self_reliant", "cooperative", "community", "network")


def segmentation_figures(con: duckdb.DuckDBPyConnection) -> dict[str, object] | None:
    """The population-level figures of pcdm.person_segment (None when it is empty or missing):
    persons, rule version, shares of heavy users, Kaiser tiers 0-3, customer segments and key
    customers, the number of care gaps and the share of the window cost of the costliest 10 % of
    residents (the floor(n / 10) highest window_cost_eur)."""
    exists = con.sql(
        "select count(*) from information_schema.tables "
        "where table_schema = 'pcdm' and table_name in ('person_segment', 'person_care_gap')"
    ).fetchall()[0][0]
    if exists < 2:
        return None
    persons, version, heavy, key_customers, total_cost = con.sql(
        "select count(*), min(rule_version), avg(is_heavy_user::int), "
        "avg(is_key_customer::int), sum(window_cost_eur) from pcdm.person_segment"
    ).fetchall()[0]
    if persons == 0:
        return None
    tiers = dict(
        con.sql(
            "select kaiser_tier, count(*) / sum(count(*)) over () "
            "from pcdm.person_segment group by kaiser_tier"
        ).fetchall()
    )
    segments = dict(
        con.sql(
            "select customer_segment, count(*) / sum(count(*)) over () "
            "from pcdm.person_segment group by customer_segment"
        ).fetchall()
    )
    top_cost = con.sql(
        "select coalesce(sum(window_cost_eur), 0) from ("
        "select window_cost_eur from pcdm.person_segment "
        "order by window_cost_eur desc limit (select count(*) // 10 from pcdm.person_segment))"
    ).fetchall()[0][0]
    gaps, gap_persons = con.sql(
        "select count(*), count(distinct person_key) from pcdm.person_care_gap"
    ).fetchall()[0]
    return {
        "persons": persons,
        "rule_version": version,
        "heavy_user_share": heavy,
        "kaiser_tier_shares": {tier: tiers.get(tier, 0.0) for tier in range(4)},
        "segment_shares": {segment: segments.get(segment, 0.0) for segment in SEGMENTS},
        "key_customer_share": key_customers,
        "care_gaps": gaps,
        "care_gap_persons": gap_persons,
        "top_decile_cost_share": top_cost / total_cost if total_cost else 0.0,
    }


def _segmentation_lines(figures: dict[str, object]) -> list[str]:
    tiers = figures["kaiser_tier_shares"]
    segments = figures["segment_shares"]
    return [
        f"pcdm.person_segment: {figures['persons']:,} persons in scope, "
        f"rules {figures['rule_version']}",
        f"  heavy service users    {figures['heavy_user_share']:6.1%}",
        "  Kaiser tiers 3/2/1/0   " + " / ".join(f"{tiers[tier]:.1%}" for tier in (3, 2, 1, 0)),
        "  segments               "
        + ", ".join(f"{segment} {segments[segment]:.1%}" for segment in SEGMENTS),
        f"  key customers          {figures['key_customer_share']:6.1%}",
        f"  care gaps              {figures['care_gaps']:,} "
        f"({figures['care_gap_persons']:,} persons)",
        f"  cost of the costliest 10 % of residents: "
        f"{figures['top_decile_cost_share']:.1%} of the window cost",
    ]
