"""`python -m pcdm.report.dbt_docs <dbt flags>`: the dbt docs of the offline report in one dbt
process: a fresh parse (no compiled SQL), then `dbt docs generate --static --no-compile` on the
manifest it made (dbt's programmatic runner takes a parsed manifest), instead of two dbt commands
that each start dbt and parse the project. Exit code 0 when both succeed."""

from __future__ import annotations

import sys


def main(flags: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    parsed = dbtRunner().invoke(["parse", "--no-partial-parse", *flags])
    if not parsed.success:
        return 1
    generated = dbtRunner(manifest=parsed.result).invoke(
        ["docs", "generate", "--static", "--no-compile", *flags]
    )
    return 0 if generated.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
