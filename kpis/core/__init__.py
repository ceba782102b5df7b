"""The pure core: what the plans' words mean and the progress arithmetic, with no Django.

Everything that decides a KPI (vocabularies, who answers for a promise, the engine, the
trajectory, the target band, projections, what-if verdicts) lives here once; models build their
choices and constraints from it, and pages, reports and the API render what it computes.
An import-linter contract (pyproject.toml) keeps Django and the apps out of this package.
"""
