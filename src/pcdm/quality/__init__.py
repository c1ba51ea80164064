"""The data-quality gate: great-expectations suites on the dq metric tables (see quality/)."""
