"""`python -m pcdm.dbt_worker`: the dbt commands of one build in one process (pipeline.DbtSession).

A build is two dbt commands with the disclosure control between them (pipeline.build). In two
processes the second pays dbt's start-up and a partial parse again (some 5 s); here the project is
parsed once, by the first command, and every command runs on that manifest with dbt's programmatic
runner. Every command of a session has the same vars and target (a different vars object would need
a parse of its own: use another session).

The arguments are the flags of every command of the session (`--vars`, `--target-path`, ...: the
parse gets them). Reads one request per line on stdin, a JSON object
  {"args": [dbt arguments], "env": {environment variables of this command}},
runs it with dbt's output on stdout, closes dbt-duckdb's database (so that another process, the
disclosure control or the gate, can open the file), and writes the line `DONE <exit code>` (0 done,
1 a node failed, 2 dbt stopped with an error). `"args": null` only parses the project, ahead of
the first command. `"docs_on": FILE` generates the offline report's dbt docs, with the dbt flags
`"args"`, on that saved parse of the project (pcdm.report.dbt_docs.generate: a parse holds no
compiled SQL, while the session's manifest holds the build's). A SIGINT stops the running command
and the worker (exit 130); SIGTERM ends it as it ends dbt. The worker ends at the end of stdin.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

DONE = "\x1e pcdm-dbt-worker DONE"


def release_database() -> None:
    """Close dbt-duckdb's database instance (it keeps one per process between commands)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    gc.collect()


def exit_code(result) -> int:
    if result.success:
        return 0
    return 1 if result.exception is None else 2


def main(common: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    manifest = None
    for line in sys.stdin:
        request = json.loads(line)
        os.environ.update(request["env"])
        code = None
        if "docs_on" in request:  # the offline report's docs, on a parse of their own
            from pcdm.report.dbt_docs import generate

            saved = request["docs_on"]
            code = generate(request["args"], None if saved is None else Path(saved))
        elif manifest is None:
            parsed = dbtRunner().invoke(["parse", *common])
            if parsed.success:
                manifest = parsed.result
            else:
                code = exit_code(parsed)
        if code is None and request["args"] is None:
            code = 0  # parsed ahead
        if code is None:
            result = dbtRunner(manifest=manifest).invoke(request["args"])
            if isinstance(result.exception, KeyboardInterrupt):
                return 130
            code = exit_code(result)
        release_database()
        sys.stdout.flush()
        print(f"{DONE} {code}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
