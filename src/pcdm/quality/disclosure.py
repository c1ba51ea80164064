"""The gate's one check that is not a great-expectations suite: the disclosure audit of the bi
marts (the attacker of docs/privacy.md, src/pcdm/privacy/), its rule worded once."""

from __future__ import annotations

from pathlib import Path

from pcdm.quality.results import CheckResult

DISCLOSURE_CHECK = "bi_disclosure_audit"
DISCLOSURE_EXPECTATION = "no_small_count_derivable"
DISCLOSURE_RULE = (
    "An attacker who reads every bi mart and report file at once and solves the linear programs "
    "they imply can pin no count below min_cell_size to an interval narrower than min_cell_size, "
    "and every withheld cell looks the same"
)


def disclosure_audit(database_path: Path, min_cell_size: int) -> CheckResult:
    """The attacker of docs/privacy.md on everything the bi marts publish, as one error check:
    it fails on a small count that is published or derivable, naming each such cell."""
    from pcdm.privacy.warehouse import audit_warehouse

    report = audit_warehouse(database_path, min_cell_size)
    failures = report.failures
    return CheckResult(
        check=DISCLOSURE_CHECK,
        expectation=DISCLOSURE_EXPECTATION,
        severity="error",
        success=not failures,
        observed_value=float(len(failures)),
        threshold="0 cells",
        details=tuple(failures),
        description=(
            f"{DISCLOSURE_RULE} (min_cell_size {min_cell_size}: "
            f"{report.result.targets} small withheld counts bounded, {report.result.solves} "
            f"LPs, {report.seconds:.1f} s; docs/privacy.md)"
        ),
    )
